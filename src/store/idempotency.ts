// Idempotency keys (CONTRACT §2): a key is claimed in the transaction of the change it names, the
// response is stored under it with the change's writes, and a later request with the key gets that
// response again, or a refusal when it is another request.
import type { Compilable, Kysely } from 'kysely';
import { problems } from '../domain/errorCodes.js';
import { inWriteTransaction, type Store } from './dialect.js';
import { refused, type CommandResult, type Refused, type StoredResponse } from './outcome.js';
import type { Database } from './schema.js';

/** A request's idempotency key, the request it is bound to (its method and path), and how an outcome is rendered to be stored under it. */
export interface KeyBinding<O> {
  key: string;
  request: { method: string; path: string };
  render(outcome: O): StoredResponse;
}

/** Who makes a change, and under which key (none: the change is not idempotent, and nothing is stored). */
export interface KeyedRequest<O> {
  merchantId: string;
  idempotency?: KeyBinding<O>;
}

export function claimQuery(db: Kysely<Database>, merchantId: string, binding: KeyBinding<unknown>) {
  // On PostgreSQL a second request with the same key blocks on the primary key here until the first
  // commits (then it replays) or rolls back (then it proceeds); on SQLite the write lock serializes them.
  return db
    .insertInto('idempotency_keys')
    .values({
      merchant_id: merchantId,
      idempotency_key: binding.key,
      status_code: 0,
      response_headers: null,
      response_body: null,
      created_at: new Date().toISOString(),
      request_method: binding.request.method,
      request_path: binding.request.path,
    })
    .onConflict((oc) => oc.columns(['merchant_id', 'idempotency_key']).doNothing())
    .returning('status_code');
}

/** The stored response for a used key, or a refusal (stored nowhere) when the key was used for another request. */
export async function replayOf(db: Kysely<Database>, merchantId: string, binding: KeyBinding<unknown>): Promise<CommandResult<Refused>> {
  const stored = await db
    .selectFrom('idempotency_keys')
    .select(['status_code', 'response_headers', 'response_body', 'request_method', 'request_path'])
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', binding.key)
    .executeTakeFirstOrThrow();
  if (stored.status_code === 0) throw new Error('idempotency key is claimed by an uncommitted transaction');
  // Keys stored before requests were recorded (null) replay as before.
  if (stored.request_method !== null && (stored.request_method !== binding.request.method || stored.request_path !== binding.request.path)) {
    const problem = problems.badValue('Bad value: Klarna-Idempotency-Key (already used for a different request; use a new key for each operation)');
    return { replayed: false, outcome: refused(problem) };
  }
  return {
    replayed: true,
    response: { status: stored.status_code, headers: JSON.parse(stored.response_headers ?? '{}') as Record<string, string>, body: stored.response_body ?? '' },
  };
}

export function saveResponseQuery(db: Kysely<Database>, merchantId: string, key: string, response: StoredResponse) {
  return db
    .updateTable('idempotency_keys')
    .set({ status_code: response.status, response_headers: JSON.stringify(response.headers), response_body: response.body })
    .where('merchant_id', '=', merchantId)
    .where('idempotency_key', '=', key);
}

/**
 * A write transaction under the request's idempotency key (CONTRACT §2) for commands that are not
 * order commands (the Checkout API's): a used key replays its stored response (or is refused when
 * it was used for another request); a new key is claimed first, and the outcome `fn` decides is
 * rendered and stored under it with fn's writes, in the same transaction. On PostgreSQL a second
 * request with the key waits on the claim until the first commits, then replays.
 */
export function inKeyedTransaction<O extends { kind: string }>(
  store: Store,
  ctx: KeyedRequest<O>,
  fn: (db: Kysely<Database>) => Promise<{ outcome: O; writes: Compilable<unknown>[] }>,
): Promise<CommandResult<O | Refused>> {
  const binding = ctx.idempotency;
  return inWriteTransaction(store, async (db) => {
    if (binding && (await db.executeQuery(claimQuery(db, ctx.merchantId, binding).compile())).rows.length === 0) return replayOf(db, ctx.merchantId, binding);
    const { outcome, writes } = await fn(db);
    const response = binding?.render(outcome);
    if (binding && response) writes.push(saveResponseQuery(db, ctx.merchantId, binding.key, response));
    for (const write of writes) await db.executeQuery(write.compile());
    return { replayed: false, outcome, response };
  });
}
