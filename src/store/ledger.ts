// The ledger check: every invariant of every order, verified over the whole store at once.
// Per order it runs the domain's one invariant checker (checkInvariants), then cross-checks the
// rows against each other: every capture and refund has its event and vice versa, refund
// allocations add up per refund and per capture, counters match the rows, the event chain is
// unbroken and its last amounts are the order's, and no idempotency key is left half-claimed;
// and the settlement invariants (settlementLedger.ts).
// Used by the reliability tests and by `npm run ledger:check`.
import { checkInvariants, type InvariantViolation } from '../domain/order.js';
import { inReadSnapshot, type Store } from './dialect.js';
import { orderStateOf } from './orders.js';
import { checkSettlements } from './settlementLedger.js';
import type { Selectable } from 'kysely';
import type { CapturesTable, Database, OrderEventsTable, OrdersTable, RefundsTable } from './schema.js';

type EventRow = Selectable<OrderEventsTable>;

export interface LedgerViolation extends InvariantViolation {
  order_id?: string;
}

export interface LedgerReport {
  orders: number;
  captures: number;
  refunds: number;
  events: number;
  idempotency_keys: number;
  violations: LedgerViolation[];
}

interface AmountsJson {
  order_amount?: unknown;
  captured_amount?: unknown;
  refunded_amount?: unknown;
  expires_at?: unknown;
}

const AMOUNT_FIELDS = ['order_amount', 'captured_amount', 'refunded_amount'] as const;

function parse<T>(text: string | null, fallback: T): T | undefined {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function groupBy<T extends { order_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.order_id);
    if (list) list.push(row);
    else map.set(row.order_id, [row]);
  }
  return map;
}

type Fail = (rule: string, detail: string) => void;

/** Checks one order and everything hanging off it; pure, for reuse and for tests. */
function checkOrderLedger(
  order: OrdersTable,
  captures: CapturesTable[],
  refunds: RefundsTable[],
  events: EventRow[],
  now: Date,
): InvariantViolation[] {
  const v: InvariantViolation[] = [];
  const fail: Fail = (rule, detail) => v.push({ rule, detail });
  v.push(...checkInvariants(orderStateOf(order), captures, refunds, now));
  checkCounters(order, captures, refunds, fail);
  checkAllocations(captures, refunds, fail);
  checkCreationEvents(captures, refunds, events, fail);
  checkEventChain(order, events, fail);
  return v;
}

/** Counters and sequence numbers: the n-th capture is seq n, and capture_count is n. */
function checkCounters(order: OrdersTable, captures: CapturesTable[], refunds: RefundsTable[], fail: Fail): void {
  if (order.capture_count !== captures.length) fail('capture_count', `capture_count ${order.capture_count} but ${captures.length} captures`);
  if (order.refund_count !== refunds.length) fail('refund_count', `refund_count ${order.refund_count} but ${refunds.length} refunds`);
  const captureSeqs = captures.map((c) => c.seq).sort((a, b) => a - b);
  if (captureSeqs.some((s, i) => s !== i + 1)) fail('capture_seq', `capture seqs ${captureSeqs.join(',')}`);
  const refundSeqs = refunds.map((r) => r.seq).sort((a, b) => a - b);
  if (refundSeqs.some((s, i) => s !== i + 1)) fail('refund_seq', `refund seqs ${refundSeqs.join(',')}`);
}

/** Refund allocations: each refund's allocations add up to it, and per capture to its refunded_amount. */
function checkAllocations(captures: CapturesTable[], refunds: RefundsTable[], fail: Fail): void {
  const captureById = new Map(captures.map((c) => [c.capture_id, c]));
  const allocatedPerCapture = new Map<string, number>();
  for (const r of refunds) {
    const allocations = parse<{ capture_id?: unknown; amount?: unknown }[]>(r.allocations, []);
    if (!Array.isArray(allocations)) {
      fail('refund_allocations_json', `refund ${r.refund_id} allocations are not a JSON array`);
      continue;
    }
    let sum = 0;
    for (const a of allocations) {
      const amount = typeof a.amount === 'number' ? a.amount : NaN;
      const captureId = typeof a.capture_id === 'string' ? a.capture_id : '';
      if (!Number.isSafeInteger(amount) || amount <= 0) fail('refund_allocation_amount', `refund ${r.refund_id} allocates ${String(a.amount)}`);
      if (!captureById.has(captureId)) fail('refund_allocation_capture', `refund ${r.refund_id} draws on unknown capture ${captureId}`);
      sum += amount;
      allocatedPerCapture.set(captureId, (allocatedPerCapture.get(captureId) ?? 0) + amount);
    }
    if (sum !== r.refunded_amount) fail('refund_allocations_sum', `refund ${r.refund_id}: allocations ${sum} != refunded_amount ${r.refunded_amount}`);
  }
  for (const c of captures) {
    const allocated = allocatedPerCapture.get(c.capture_id) ?? 0;
    if (allocated !== c.refunded_amount) fail('capture_refunded_allocations', `capture ${c.capture_id}: refunds allocated ${allocated} != refunded_amount ${c.refunded_amount}`);
  }
}

/**
 * Events: every capture/refund has exactly one creation event with the same amount, and no event
 * names a capture/refund that is not there (nothing half-written either way).
 */
function checkCreationEvents(captures: CapturesTable[], refunds: RefundsTable[], events: EventRow[], fail: Fail): void {
  const captureById = new Map(captures.map((c) => [c.capture_id, c]));
  const captureEvents = new Map<string, number>();
  const refundEvents = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'CAPTURE_CREATED' && e.type !== 'REFUND_CREATED') continue;
    const data = parse<{ capture_id?: unknown; refund_id?: unknown; captured_amount?: unknown; refunded_amount?: unknown }>(e.data, {});
    if (e.type === 'CAPTURE_CREATED') {
      const id = typeof data?.capture_id === 'string' ? data.capture_id : '';
      const c = captureById.get(id);
      if (!c) fail('event_without_capture', `event ${e.id} names capture ${id}, which does not exist`);
      else if (data?.captured_amount !== c.captured_amount) fail('capture_event_amount', `event ${e.id} says ${String(data?.captured_amount)}, capture ${id} has ${c.captured_amount}`);
      captureEvents.set(id, (captureEvents.get(id) ?? 0) + 1);
    } else {
      const id = typeof data?.refund_id === 'string' ? data.refund_id : '';
      const r = refunds.find((x) => x.refund_id === id);
      if (!r) fail('event_without_refund', `event ${e.id} names refund ${id}, which does not exist`);
      else if (data?.refunded_amount !== r.refunded_amount) fail('refund_event_amount', `event ${e.id} says ${String(data?.refunded_amount)}, refund ${id} has ${r.refunded_amount}`);
      refundEvents.set(id, (refundEvents.get(id) ?? 0) + 1);
    }
  }
  for (const c of captures) {
    const n = captureEvents.get(c.capture_id) ?? 0;
    if (n !== 1) fail('capture_event', `capture ${c.capture_id} has ${n} CAPTURE_CREATED events`);
  }
  for (const r of refunds) {
    const n = refundEvents.get(r.refund_id) ?? 0;
    if (n !== 1) fail('refund_event', `refund ${r.refund_id} has ${n} REFUND_CREATED events`);
  }
}

/**
 * The event chain: starts with ORDER_CREATED, each event's "before" is the previous "after", and
 * the last "after" is the order row as stored.
 */
function checkEventChain(order: OrdersTable, events: EventRow[], fail: Fail): void {
  const sorted = [...events].sort((a, b) => a.id - b.id);
  if (sorted.length === 0 || sorted[0]!.type !== 'ORDER_CREATED') fail('event_chain_start', `first event is ${sorted[0]?.type ?? 'missing'}`);
  let previous: AmountsJson | undefined;
  for (const e of sorted) {
    const before = parse<AmountsJson | null>(e.amounts_before, null);
    const afterAmounts = parse<AmountsJson>(e.amounts_after, {});
    if (before === undefined || afterAmounts === undefined) {
      fail('event_json', `event ${e.id} has unparseable amounts`);
      previous = undefined;
      continue;
    }
    if (previous && before) {
      for (const f of AMOUNT_FIELDS) {
        if (before[f] !== previous[f]) fail('event_chain', `event ${e.id} ${f} before ${String(before[f])} != previous after ${String(previous[f])}`);
      }
    }
    previous = afterAmounts;
  }
  if (previous) {
    for (const f of AMOUNT_FIELDS) {
      if (previous[f] !== order[f]) fail('event_last_amounts', `last event ${f} ${String(previous[f])} != order ${order[f]}`);
    }
    // The row keeps whole seconds (Klarna's timestamp format); the event keeps milliseconds.
    const seconds = (t: string) => Math.floor(new Date(t).getTime() / 1000);
    if (typeof previous.expires_at === 'string' && seconds(previous.expires_at) !== seconds(order.expires_at)) {
      fail('event_last_expires_at', `last event expires_at ${previous.expires_at} != order ${order.expires_at}`);
    }
  }
}

/** Verifies every order in the store on one consistent snapshot. */
export async function checkLedger(store: Store, now = new Date()): Promise<LedgerReport> {
  return inReadSnapshot(store, async (db) => {
    const orders = await db.selectFrom('orders').selectAll().orderBy('order_id').execute();
    const captures = await db.selectFrom('captures').selectAll().execute();
    const refunds = await db.selectFrom('refunds').selectAll().execute();
    const events = await db.selectFrom('order_events').selectAll().execute();
    const keys = await db.selectFrom('idempotency_keys').select(['merchant_id', 'idempotency_key', 'status_code']).execute();
    const capturesByOrder = groupBy(captures);
    const refundsByOrder = groupBy(refunds);
    const eventsByOrder = groupBy(events);
    const violations: LedgerViolation[] = [];
    const orderIds = new Set<string>();
    for (const order of orders) {
      orderIds.add(order.order_id);
      const found = checkOrderLedger(
        order,
        capturesByOrder.get(order.order_id) ?? [],
        refundsByOrder.get(order.order_id) ?? [],
        eventsByOrder.get(order.order_id) ?? [],
        now,
      );
      for (const f of found) violations.push({ order_id: order.order_id, ...f });
    }
    for (const [orderId, rows] of [...capturesByOrder, ...refundsByOrder, ...eventsByOrder] as [string, unknown[]][]) {
      if (!orderIds.has(orderId)) violations.push({ order_id: orderId, rule: 'orphan_rows', detail: `${rows.length} rows for an order that does not exist` });
    }
    violations.push(...(await checkSettlements(db)));
    for (const k of keys) {
      if (k.status_code === 0) violations.push({ rule: 'idempotency_key_unfinished', detail: `merchant ${k.merchant_id} key ${k.idempotency_key} has status_code 0` });
    }
    return { orders: orders.length, captures: captures.length, refunds: refunds.length, events: events.length, idempotency_keys: keys.length, violations };
  });
}

const TABLES: { [K in keyof Database]: string[] } = {
  settings: ['key'],
  merchants: ['merchant_id'],
  orders: ['order_id'],
  captures: ['capture_id'],
  refunds: ['refund_id'],
  shipping_info: ['id'],
  order_events: ['id'],
  idempotency_keys: ['merchant_id', 'idempotency_key'],
  jobs: ['id'],
  job_attempts: ['id'],
  webhooks: ['webhook_id'],
  faults: ['fault_id'],
  checkout_orders: ['order_id'],
  portal_sessions: ['session_hash'],
  payment_sessions: ['session_id'],
  payment_authorizations: ['authorization_token'],
  hpp_sessions: ['session_id'],
  hpp_distributions: ['distribution_id'],
  customer_tokens: ['token_id'],
  customer_token_orders: ['order_id'],
  settlement_terms: ['merchant_id'],
  settlement_transactions: ['transaction_id'],
  payouts: ['payment_reference'],
  merchant_calls: ['id'],
};

/** Every row of every table, in primary-key order, as one JSON text: equal texts = equal stores. */
export async function ledgerSnapshot(store: Store): Promise<string> {
  return inReadSnapshot(store, async (db) => {
    const dump: Record<string, unknown[]> = {};
    for (const [table, keys] of Object.entries(TABLES) as [keyof Database, string[]][]) {
      let query = db.selectFrom(table).selectAll();
      for (const k of keys) query = query.orderBy(k as never);
      dump[table] = await query.execute();
    }
    return JSON.stringify(dump);
  });
}
