// What a command did, the response stored for it under an idempotency key, and what the runner
// answers: the outcome, for callers that act on it (the portal, the worker, the metrics), and the
// stored bytes where a key holds them.
import type { Problem } from '../domain/errorCodes.js';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string; // '' for 204
}

/** What an order command did, before it is rendered as an HTTP response. */
export type Outcome =
  | { kind: 'created'; resource: 'captures' | 'refunds'; orderId: string; id: string }
  | { kind: 'no_content' }
  | { kind: 'refused'; problem: Problem };

export type Refused = Extract<Outcome, { kind: 'refused' }>;
export const refused = (problem: Problem): Refused => ({ kind: 'refused', problem });

export function isRefused(outcome: { kind: string }): outcome is Refused {
  return outcome.kind === 'refused';
}

/**
 * What the runner answers: the outcome decided now (with, under an idempotency key, the response
 * stored for it), or the response an earlier request with the same key stored, replayed as it is.
 */
export type CommandResult<O> = { replayed: false; outcome: O; response?: StoredResponse } | { replayed: true; response: StoredResponse };

/** A command's result when it ran without a key: nothing can be replayed. */
export type Decided<O> = Extract<CommandResult<O>, { replayed: false }>;
