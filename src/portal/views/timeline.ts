// The order event log in words: what happened, when (merchant clock), the amounts before and
// after, and the request it came from (correlation id, idempotency key).
import type { Selectable } from 'kysely';
import type { AmountsSnapshot } from '../../store/events.js';
import type { OrderEventsTable } from '../../store/schema.js';
import { html, type SafeHtml } from '../../html.js';
import { time, timeText } from './formats.js';
import { STATUS_NAMES } from './status.js';
import type { OrderStatus } from '../../domain/order.js';

type Money = (minor: number) => string;
type EventData = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

function whatHappened(type: string, data: EventData, money: Money): string {
  const amount = (key: string) => {
    const n = num(data[key]);
    return n === undefined ? '' : ` ${money(n)}`;
  };
  switch (type) {
    case 'ORDER_CREATED':
      return `Order created for${amount('order_amount')}`;
    case 'CAPTURE_CREATED':
      return `Captured${amount('captured_amount')}`;
    case 'REFUND_CREATED':
      return `Refunded${amount('refunded_amount')}`;
    case 'ORDER_CANCELLED':
      return text(data.reason) ? `Order cancelled (${text(data.reason)})` : 'Order cancelled';
    case 'REMAINING_AUTHORIZATION_RELEASED':
      return `Released the remaining authorization of${amount('released_amount')}`;
    case 'AUTHORIZATION_EXTENDED':
      return 'Authorization extended';
    case 'AUTHORIZATION_UPDATED':
      return `Order amount changed to${amount('order_amount')}`;
    case 'ORDER_ACKNOWLEDGED':
      return data.first === false ? 'Order acknowledged again' : 'Order acknowledged';
    case 'MERCHANT_REFERENCES_UPDATED':
      return 'Merchant references updated';
    case 'CUSTOMER_DETAILS_UPDATED':
      return 'Customer details updated';
    case 'ORDER_SHIPPING_INFO_ADDED':
      return 'Shipping information added';
    case 'CAPTURE_SHIPPING_INFO_ADDED':
      return 'Shipping information added to a capture';
    case 'CAPTURE_DUE_DATE_EXTENDED':
      return `Capture due date extended by ${num(data.number_of_days) ?? '?'} days`;
    case 'CAPTURE_SEND_OUT_TRIGGERED':
      return 'Capture send-out triggered';
    case 'ORDER_EXPIRED':
      return 'Authorization expired';
    case 'FRAUD_STATUS_CHANGED':
      return `Fraud review decided: ${text(data.fraud_status) ?? 'changed'}`;
    default:
      return type;
  }
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

export function timeline(events: readonly Selectable<OrderEventsTable>[], money: Money, leftOut: boolean): SafeHtml {
  return html`<section class="card" aria-labelledby="timeline-title"><h2 id="timeline-title">Timeline</h2>
${leftOut ? html`<p class="hint">Only the newest ${events.length} events are shown.</p>` : ''}
<ol class="timeline">${events.map((e) => {
    const data = parse<EventData>(e.data) ?? {};
    return html`<li><div class="what">${whatHappened(e.type, data, money)}</div>
<div class="meta">${time(e.occurred_at)}</div>
${amountChanges(parse<AmountsSnapshot>(e.amounts_before), parse<AmountsSnapshot>(e.amounts_after), money)}
<div class="meta">Correlation id <span class="mono">${e.correlation_id}</span>${e.idempotency_key ? html` · Idempotency key <span class="mono">${e.idempotency_key}</span>` : ''}</div></li>`;
  })}</ol></section>`;
}
