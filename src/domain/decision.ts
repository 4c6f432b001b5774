// The outcome of a domain decision: either a refusal with Klarna's error code, or accepted changes.
import type { ErrorCode } from './errorCodes.js';

export type RefusalCode = Extract<ErrorCode, 'NOT_ALLOWED' | 'CAPTURE_NOT_ALLOWED' | 'CANCEL_NOT_ALLOWED' | 'REFUND_NOT_ALLOWED' | 'READ_ONLY_ORDER' | 'BAD_VALUE'>;

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
}

export interface Accepted<T> {
  ok: true;
  value: T;
}

export type Decision<T> = Refusal | Accepted<T>;

export function refuse(code: RefusalCode, message: string): Refusal {
  return { ok: false, code, message };
}

export function accept<T>(value: T): Accepted<T> {
  return { ok: true, value };
}
