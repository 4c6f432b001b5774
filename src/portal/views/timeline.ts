// The order event log in words: what happened, when (merchant clock), the amounts before and
// after, and the request it came from (correlation id, idempotency key).
import type { Selectable } from 'kysely';
import type { AmountsSnapshot } from '../../store/events.js';
import type { MerchantCallRow } from '../../store/merchantCalls.js';
import type { OrderEventsTable } from '../../store/schema.js';
import { html, type SafeHtml } from '../../html.js';
import { time, timeText } from './formats.js';
import { STATUS_NAMES } from './status.js';
import type { OrderStatus } from '../../domain/order.js';
import type { OrderEventType } from '../../domain/webhookEvents.js';

type Money = (minor: number) => string;
type EventData = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** What each event type says happened, in words: a new OrderEventType does not compile until it has its line here. */
const WHAT_HAPPENED = {
  ORDER_CREATED: (data, money) => `Order created for${amount(data, 'order_amount', money)}`,
  CAPTURE_CREATED: (data, money) => `Captured${amount(data, 'captured_amount', money)}`,
  REFUND_CREATED: (data, money) => `Refunded${amount(data, 'refunded_amount', money)}`,
  ORDER_CANCELLED: (data) => (text(data.reason) ? `Order cancelled (${text(data.reason)})` : 'Order cancelled'),
  REMAINING_AUTHORIZATION_RELEASED: (data, money) => `Released the remaining authorization of${amount(data, 'released_amount', money)}`,
  AUTHORIZATION_EXTENDED: () => 'Authorization extended',
  AUTHORIZATION_UPDATED: (data, money) => `Order amount changed to${amount(data, 'order_amount', money)}`,
  ORDER_ACKNOWLEDGED: (data) => (data.first === false ? 'Order acknowledged again' : 'Order acknowledged'),
  MERCHANT_REFERENCES_UPDATED: () => 'Merchant references updated',
  CUSTOMER_DETAILS_UPDATED: () => 'Customer details updated',
  ORDER_SHIPPING_INFO_ADDED: () => 'Shipping information added',
  CAPTURE_SHIPPING_INFO_ADDED: () => 'Shipping information added to a capture',
  CAPTURE_DUE_DATE_EXTENDED: (data) => `Capture due date extended by ${num(data.number_of_days) ?? '?'} days`,
  CAPTURE_SEND_OUT_TRIGGERED: () => 'Capture send-out triggered',
  ORDER_EXPIRED: () => 'Authorization expired',
  FRAUD_STATUS_CHANGED: (data) => `Fraud review decided: ${text(data.fraud_status) ?? 'changed'}`,
} satisfies Record<OrderEventType, (data: EventData, money: Money) => string>;

/** " 100,00 kr" for an amount the event's data carries; nothing without one. */
function amount(data: EventData, key: string, money: Money): string {
  const n = num(data[key]);
  return n === undefined ? '' : ` ${money(n)}`;
}

/** An event written by a newer version (a rolling update) shows its raw type until this one knows it. */
function whatHappened(type: OrderEventType, data: EventData, money: Money): string {
  const words: ((data: EventData, money: Money) => string) | undefined = WHAT_HAPPENED[type];
  return words ? words(data, money) : type;
}

function parse<T>(json: string | null): T | undefined {
  if (json === null) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}

/** The amounts that changed, "before → after"; all of them for the first event. */
function amountChanges(before: AmountsSnapshot | undefined, after: AmountsSnapshot | undefined, money: Money): SafeHtml {
  if (!after) return html``;
  const statusName = (s: string) => STATUS_NAMES[s as OrderStatus] ?? s;
  const rows: [string, string | undefined, string][] = [
    ['Status', before && statusName(before.status), statusName(after.status)],
    ['Order amount', before && money(before.order_amount), money(after.order_amount)],
    ['Captured', before && money(before.captured_amount), money(after.captured_amount)],
    ['Refunded', before && money(before.refunded_amount), money(after.refunded_amount)],
    ['Remaining authorization', before && money(before.remaining_authorized_amount), money(after.remaining_authorized_amount)],
    ['Expires', before && timeText(before.expires_at), timeText(after.expires_at)],
  ];
  const shown = rows.filter(([, b, a]) => b === undefined || b !== a);
  if (shown.length === 0) return html`<div class="meta">Amounts unchanged</div>`;
  return html`<div class="meta">${shown.map(
    ([name, b, a], i) => html`${i > 0 ? ' · ' : ''}${name}: ${b === undefined ? '' : `${b} → `}${a}`,
  )}</div>`;
}

function eventItem(e: Selectable<OrderEventsTable>, money: Money): SafeHtml {
  const data = parse<EventData>(e.data) ?? {};
  return html`<li><div class="what">${whatHappened(e.type, data, money)}</div>
<div class="meta">${time(e.occurred_at)}</div>
${amountChanges(parse<AmountsSnapshot>(e.amounts_before), parse<AmountsSnapshot>(e.amounts_after), money)}
<div class="meta">Correlation id <span class="mono">${e.correlation_id}</span>${e.idempotency_key ? html` · Idempotency key <span class="mono">${e.idempotency_key}</span>` : ''}</div></li>`;
}

const CALL_NAMES: Record<MerchantCallRow['kind'], string> = {
  push: 'Push',
  notification: 'Fraud notification',
  validation: 'Validation callback',
  webhook: 'Webhook',
  hpp_status_update: 'Pay by link status update',
  payment_authorization: 'Authorization callback',
};

/** A call to the merchant's server: where, what came back, and both bodies on demand. */
function callItem(c: MerchantCallRow): SafeHtml {
  const answer = c.status === 0 ? `no answer (${c.error ?? 'unknown'})` : `answered ${c.status}`;
  return html`<li class="call"><div class="what">${CALL_NAMES[c.kind] ?? c.kind} to <span class="mono">${c.method} ${c.url}</span>: ${answer}</div>
<div class="meta">${time(c.called_at)} · ${c.duration_ms} ms</div>
${c.request_body ? html`<details><summary>Request body</summary><pre class="mono">${c.request_body}</pre></details>` : ''}
${c.response_body ? html`<details><summary>Response body (first 4 KB)</summary><pre class="mono">${c.response_body}</pre></details>` : ''}</li>`;
}

/** The order's events and the calls made to the merchant about it, in the order they happened. */
export function timeline(events: readonly Selectable<OrderEventsTable>[], money: Money, leftOut: boolean, calls: readonly MerchantCallRow[] = []): SafeHtml {
  const items = [
    ...events.map((e) => ({ at: Date.parse(e.occurred_at), item: eventItem(e, money) })),
    ...calls.map((c) => ({ at: Date.parse(c.called_at), item: callItem(c) })),
  ].sort((a, b) => a.at - b.at);
  return html`<section class="card" aria-labelledby="timeline-title"><h2 id="timeline-title">Timeline</h2>
${leftOut ? html`<p class="hint">Only the newest ${events.length} events are shown.</p>` : ''}
<ol class="timeline">${items.map((i) => i.item)}</ol></section>`;
}
