// What a command did, and the response stored for it under an idempotency key.
import type { Problem } from '../domain/errorCodes.js';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string; // '' for 204
}

/** A command's response, and whether it came from an earlier request with the same idempotency key. */
export type CommandResponse = StoredResponse & { replayed?: true };

/** What a command did, before it is rendered as an HTTP response. */
export type Outcome =
  | { kind: 'created'; resource: 'captures' | 'refunds'; orderId: string; id: string }
  | { kind: 'no_content' }
  | { kind: 'refused'; problem: Problem };

export type Render = (outcome: Outcome) => StoredResponse;

export type Refused = Extract<Outcome, { kind: 'refused' }>;
export const refused = (problem: Problem): Refused => ({ kind: 'refused', problem });
