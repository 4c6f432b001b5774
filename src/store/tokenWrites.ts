// The writes that change a customer token's status, shared by the token commands (customerTokens.ts)
// and by the order command that rejects a pending purchase (the token its checkout made goes with
// it). Kept apart from customerTokens.ts, which runs order commands, so that orderCommands.ts can use
// it without an import cycle.
import type { Compilable, Kysely } from 'kysely';
import { tokenStatusViolation, type TokenStatus } from '../domain/customerTokens.js';
import type { WebhookEventType } from '../domain/webhookEvents.js';
import { webhookFanOut } from './jobs.js';
import type { OrderTx } from './orderTx.js';
import type { CustomerTokensTable, Database } from './schema.js';

type TokenIds = Pick<CustomerTokensTable, 'merchant_id' | 'token_id' | 'origin_order_id'>;

/** Pair assertion: only a status the domain knows is written (the column's CHECK is the other half). */
export function assertTokenStatus(status: TokenStatus): TokenStatus {
  const violation = tokenStatusViolation(status);
  if (violation) throw new Error(`refusing to write an invalid customer token: ${violation}`);
  return status;
}

/** A token event's webhook, due at once: its data names the token and the checkout order that made it, whose sequence it joins. */
export function tokenWebhook(db: Kysely<Database>, token: TokenIds, type: WebhookEventType, occurredAt: Date, runAt: number) {
  const data = { order_id: token.origin_order_id, customer_token: token.token_id };
  return webhookFanOut(db, { merchantId: token.merchant_id, orderId: token.origin_order_id, type, data, occurredAt, runAt });
}

/** A new status for the token (at `now` on the merchant's clock, `runAt` in real ms), with the cancellation's webhook. */
export function tokenStatusWrites(db: Kysely<Database>, token: TokenIds, status: TokenStatus, now: Date, runAt: number): Compilable<unknown>[] {
  const writes: Compilable<unknown>[] = [
    db.updateTable('customer_tokens').set({ status: assertTokenStatus(status), updated_at: now.toISOString() }).where('token_id', '=', token.token_id),
  ];
  if (status === 'CANCELLED') writes.push(tokenWebhook(db, token, 'openom.customer_token.cancelled', now, runAt));
  return writes;
}

/**
 * When a pending purchase is rejected, the token its recurring checkout made is cancelled with the
 * order: a purchase that was never paid gives the shop nothing to charge later.
 */
export async function cancelTokenOfRejectedPurchase(tx: OrderTx): Promise<void> {
  const token = await tx.db
    .selectFrom('customer_tokens')
    .select(['merchant_id', 'token_id', 'origin_order_id'])
    .where('merchant_id', '=', tx.order.merchant_id)
    .where('origin_order_id', '=', tx.order.order_id)
    .where('status', '!=', 'CANCELLED')
    .executeTakeFirst();
  // Due now: the real time of the merchant's now is the real now.
  if (token) for (const write of tokenStatusWrites(tx.db, token, 'CANCELLED', tx.now, Date.now())) tx.write(write);
}
