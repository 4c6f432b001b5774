// Merchant portal sessions, kept in the store so that any instance can serve any request. Only the
// SHA-256 of the cookie's token is stored: a copy of the database does not yield live sessions.
import { inWriteTransaction, type Store } from './dialect.js';

export interface NewPortalSession {
  sessionHash: string;
  merchantId: string;
  csrfToken: string;
  /** Real epoch milliseconds. */
  expiresAt: number;
}

/** A live session with what every portal page shows about its merchant. */
export interface PortalSession {
  merchant_id: string;
  csrf_token: string;
  merchant_name: string;
  username: string;
  clock_offset_seconds: number;
}

/** Stores a new session, and drops the expired ones while at it (logins are rare enough). */
export async function createPortalSession(store: Store, session: NewPortalSession, nowMs = Date.now()): Promise<void> {
  await inWriteTransaction(store, async (trx) => {
    await trx.deleteFrom('portal_sessions').where('expires_at', '<=', nowMs).execute();
    await trx
      .insertInto('portal_sessions')
      .values({
        session_hash: session.sessionHash,
        merchant_id: session.merchantId,
        csrf_token: session.csrfToken,
        created_at: new Date(nowMs).toISOString(),
        expires_at: session.expiresAt,
      })
      .execute();
  });
}

/** The session for a token hash, with its merchant's name and clock, unless it has expired. */
export async function findPortalSession(store: Store, sessionHash: string, nowMs = Date.now()): Promise<PortalSession | undefined> {
  const row = await store.reader
    .selectFrom('portal_sessions')
    .innerJoin('merchants', 'merchants.merchant_id', 'portal_sessions.merchant_id')
    .select([
      'portal_sessions.merchant_id',
      'portal_sessions.csrf_token',
      'merchants.name as merchant_name',
      'merchants.username',
      'merchants.clock_offset_seconds',
    ])
    .where('portal_sessions.session_hash', '=', sessionHash)
    .where('portal_sessions.expires_at', '>', nowMs)
    .executeTakeFirst();
  return row ? { ...row, clock_offset_seconds: Number(row.clock_offset_seconds) } : undefined;
}

export async function deletePortalSession(store: Store, sessionHash: string): Promise<void> {
  await inWriteTransaction(store, (trx) => trx.deleteFrom('portal_sessions').where('session_hash', '=', sessionHash).execute());
}
