// What an order command sees: its order, locked, with the merchant's clock read in the same
// statement, and the writes it queues to be sent with the COMMIT: the order's new state (checked
// against the domain's invariants first), the event with the webhooks it fires, and the jobs it causes.
import type { Compilable, Kysely } from 'kysely';
import type { OrderState } from '../domain/order.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { WEBHOOK_EVENT_OF, type OrderEventType } from '../domain/webhookEvents.js';
import { merchantClock, type MerchantClock } from './clock.js';
import type { Store } from './dialect.js';
import { eventInsert } from './events.js';
import type { KeyedRequest } from './idempotency.js';
import { jobInsert, webhookFanOut, type ScheduledJob } from './jobs.js';
import { assertWritable, orderStateOf } from './orders.js';
import type { Outcome } from './outcome.js';
import type { Database, OrdersTable } from './schema.js';
import { settlementFeesOf, type LockedSettlementFees, type SettlementFees } from './settlementFees.js';

/** Who runs an order command, under which key, and until when it may wait. */
export interface CommandContext extends KeyedRequest<Outcome> {
  correlationId: string;
  /**
   * Epoch ms until which the command may wait for its turn on the order and for a connection
   * (the request's own deadline); past it, it is answered as not applied (503). Default: 30 s.
   */
  deadline?: number;
  /**
   * A precondition: the order's version (orderVersionQuery) as the caller showed it to a person.
   * Checked once the order is locked, in the command's transaction: if the order changed since,
   * the command is refused with ORDER_CHANGED and changes nothing (the portal's confirmations;
   * the API sets none).
   */
  expectedVersion?: number;
}

export interface OrderTx {
  /** For reads: a command's writes go through write() and are sent together with the COMMIT. */
  db: Kysely<Database>;
  order: OrdersTable;
  state: OrderState;
  ctx: CommandContext;
  /** Now on the merchant's clock. */
  now: Date;
  /** The merchant's clock as read with the order (now is clock.now). */
  clock: MerchantClock;
  /** The merchant's settlement fees, read with the order; null when it has no terms row yet. */
  settlementFees: SettlementFees | null;
  write(query: Compilable<unknown>): void;
  /**
   * Appends to the order event log with the state before this command and the given state after,
   * and queues the webhook the event fires (if any) for every subscribed endpoint.
   */
  recordEvent(type: OrderEventType, after: OrderState, data?: Record<string, unknown>): void;
  /** Queues work to run later (an outgoing call, a timer on the merchant's clock). */
  schedule(job: ScheduledJob): void;
}

export type OrderCommand = (tx: OrderTx) => Promise<Outcome>;

/** An order row as the runner locks it: with its merchant's clock offset. */
export type LockedOrder = OrdersTable & { clock_offset_seconds: number } & LockedSettlementFees;

/** Set when a command queued outbox jobs, so the local worker is woken once they are committed. */
export interface JobsWritten {
  any: boolean;
}

/** What a command sees of its locked order; its writes are queued in `writes`. */
export function orderTx(store: Store, ctx: CommandContext, db: Kysely<Database>, locked: LockedOrder, writes: Compilable<unknown>[], jobs: JobsWritten): OrderTx {
  const { clock_offset_seconds, settlement_fee_rate_bp, settlement_fee_fixed, ...order } = locked;
  const clock = merchantClock(store, clock_offset_seconds);
  const now = clock.now;
  const state = orderStateOf(order);
  return {
    db,
    order,
    state,
    ctx,
    now,
    clock,
    settlementFees: settlementFeesOf({ settlement_fee_rate_bp, settlement_fee_fixed }),
    write: (query) => writes.push(query),
    recordEvent: (type, after, data) => {
      writes.push(
        eventInsert(db, {
          order_id: order.order_id,
          merchant_id: ctx.merchantId,
          type,
          occurred_at: now,
          correlation_id: ctx.correlationId,
          idempotency_key: ctx.idempotency?.key ?? null,
          before: state,
          after,
          data,
        }),
      );
      const webhook = WEBHOOK_EVENT_OF[type];
      if (webhook) {
        jobs.any = true;
        const ids = { order_id: order.order_id, ...pickIds(data) };
        writes.push(webhookFanOut(db, { merchantId: ctx.merchantId, orderId: order.order_id, type: webhook, data: ids, occurredAt: now, runAt: clock.toRealMs(now) }));
      }
    },
    schedule: (job) => {
      jobs.any = true;
      writes.push(jobInsert(db, ctx.merchantId, clock, job));
    },
  };
}

/** The resource ids a webhook's data carries, taken from the event's data. */
function pickIds(data: Record<string, unknown> | undefined): { capture_id?: string; refund_id?: string } {
  const ids: { capture_id?: string; refund_id?: string } = {};
  if (typeof data?.capture_id === 'string') ids.capture_id = data.capture_id;
  if (typeof data?.refund_id === 'string') ids.refund_id = data.refund_id;
  return ids;
}

/** Writes the order's amount columns and flags from a new state (extra: columns outside it), and bumps updated_at. */
export function updateOrderState(tx: OrderTx, next: OrderState, extra: Partial<OrdersTable> = {}): void {
  assertWritable(next);
  tx.write(
    tx.db
      .updateTable('orders')
      .set({
        order_amount: next.order_amount,
        captured_amount: next.captured_amount,
        refunded_amount: next.refunded_amount,
        cancelled: next.cancelled ? 1 : 0,
        released: next.released ? 1 : 0,
        fraud_status: next.fraud_status,
        acknowledged: next.acknowledged ? 1 : 0,
        expiry_recorded: next.expiry_recorded ? 1 : 0,
        expires_at: toKlarnaTimestamp(next.expires_at),
        updated_at: tx.now.toISOString(),
        ...extra,
      })
      .where('order_id', '=', tx.order.order_id),
  );
}
