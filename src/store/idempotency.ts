// Idempotency keys (CONTRACT §2): a key is claimed in the transaction of the change it names, the
// response is stored under it with the change's writes, and a later request with the key gets that
// response again, or a refusal when it is another request.
import type { Compilable, Kysely } from 'kysely';
import { problems } from '../domain/errorCodes.js';
import { inWriteTransaction, type Store } from './dialect.js';
import { refused, type CommandResponse, type Refused, type StoredResponse } from './outcome.js';
import type { Database } from './schema.js';

/** What an idempotency key is bound to, and how a refusal of the key itself is rendered. */
export interface KeyedRequest {
  merchantId: string;
  idempotencyKey: string | undefined;
  /** The request an idempotency key is bound to (CONTRACT §2): its method and path. */
  request: { method: string; path: string };
  render(outcome: Refused): StoredResponse;
}

export function claimQuery(db: Kysely<Database>, ctx: KeyedRequest, key: string) {
  // On PostgreSQL a second request with the same key blocks on the primary key here until the first
  // commits (then it replays) or rolls back (then it proceeds); on SQLite the write lock serializes them.
  return db
    .insertInto('idempotency_keys')
    .values({
      merchant_id: ctx.merchantId,
      idempotency_key: key,
      status_code: 0,
      response_headers: null,
      response_body: null,
      created_at: new Date().toISOString(),
      request_method: ctx.request.method,
      request_path: ctx.request.path,
    })
    .onConflict((oc) => oc.columns(['merchant_id', 'idempotency_key']).doNothing())
    .returning('status_code');
}

/** The stored response for a used key, or a refusal when the key was used for another request. */
export async function replayOf(db: Kysely<Database>, ctx: KeyedRequest, key: string): Promise<CommandResponse> {
  const stored = await db
    .selectFrom('idempotency_keys')
    .select(['status_code', 'response_headers', 'response_body', 'request_method', 'request_path'])
    .where('merchant_id', '=', ctx.merchantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirstOrThrow();
  if (stored.status_code === 0) throw new Error('idempotency key is claimed by an uncommitted transaction');
  // Keys stored before requests were recorded (null) replay as before.
  if (stored.request_method !== null && (stored.request_method !== ctx.request.method || stored.request_path !== ctx.request.path)) {
    return ctx.render(
      refused(problems.badValue('Bad value: Klarna-Idempotency-Key (already used for a different request; use a new key for each operation)')),
    );
  }
  return {
    status: stored.status_code,
    headers: JSON.parse(stored.response_headers ?? '{}') as Record<string, string>,
    body: stored.response_body ?? '',
    replayed: true,
  };
}

export function saveResponseQuery(db: Kysely<Database>, ctx: KeyedRequest, key: string, response: StoredResponse) {
  return db
    .updateTable('idempotency_keys')
    .set({ status_code: response.status, response_headers: JSON.stringify(response.headers), response_body: response.body })
    .where('merchant_id', '=', ctx.merchantId)
    .where('idempotency_key', '=', key);
}

/**
 * A write transaction under the request's idempotency key (CONTRACT §2) for commands that are not
 * order commands (the Checkout API's): a used key replays its stored response (or is refused when
 * it was used for another request); a new key is claimed first, and the response `fn` returns is
 * stored under it with fn's writes, in the same transaction. On PostgreSQL a second request with
 * the key waits on the claim until the first commits, then replays.
 */
export function inKeyedTransaction(
  store: Store,
  ctx: KeyedRequest,
  fn: (db: Kysely<Database>) => Promise<{ response: StoredResponse; writes: Compilable<unknown>[] }>,
): Promise<CommandResponse> {
  const key = ctx.idempotencyKey;
  return inWriteTransaction(store, async (db) => {
    if (key !== undefined && (await db.executeQuery(claimQuery(db, ctx, key).compile())).rows.length === 0) return replayOf(db, ctx, key);
    const { response, writes } = await fn(db);
    if (key !== undefined) writes.push(saveResponseQuery(db, ctx, key, response));
    for (const write of writes) await db.executeQuery(write.compile());
    return response;
  });
}
