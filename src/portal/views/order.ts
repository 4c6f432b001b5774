// /portal/orders/{order_id}: amounts, actions, lines, addresses, captures, refunds and timeline.
import type { AmountAvailability, OrderAvailability } from '../../domain/availability.js';
import { refundableAmount, remainingAuthorizedAmount, statusOf } from '../../domain/order.js';
import type { OrderRecord } from '../../store/orderRecord.js';
import { orderStateOf } from '../../store/orders.js';
import { html, type SafeHtml } from '../../html.js';
import { formatAmount, toMajorUnits } from '../../domain/money.js';
import { amountInputText } from '../money.js';
import { time } from './formats.js';
import { page, type Section, type Viewer } from './layout.js';
import { statusBadge } from './status.js';
import { timeline } from './timeline.js';
import { orderTokenFact } from './tokens.js';
import { portalPaths, type OrderAction } from '../paths.js';

export type AmountAction = Extract<OrderAction, 'capture' | 'refund'>;

export interface OrderView {
  viewer: Viewer;
  sections: readonly Section[];
  record: OrderRecord;
  /** What the order allows now (src/domain/availability.ts): the actions offered, and their reasons when not. */
  allowed: OrderAvailability;
  /** A message after a successful action. */
  done?: string;
  /** A confirmation was sent for the order as it was before a change: nothing was done. */
  changed?: boolean;
  /** Klarna's refusal of the last action, or why it could not be sent. */
  error?: string;
  /** An amount typed into one of the amount forms that could not be used, and why. */
  amountError?: { action: AmountAction; value: string; message: string };
}

type Json = Record<string, unknown>;

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const amountOr = (v: unknown, money: (n: number) => string) => (typeof v === 'number' ? money(v) : '');

function facts(pairs: [string, SafeHtml | string | undefined][]): SafeHtml {
  return html`<dl class="facts">${pairs
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}</dl>`;
}

function address(title: string, id: string, json: string | null): SafeHtml {
  const a = (parseJson(json) ?? {}) as Json;
  const name = [a.title, a.given_name, a.family_name].map(str).filter(Boolean).join(' ');
  const body =
    json === null
      ? html`<p class="empty">None given.</p>`
      : facts([
          ['Name', name],
          ['Organization', str(a.organization_name)],
          ['Street', [a.street_address, a.street_address2].map(str).filter(Boolean).join(', ')],
          ['Postal code', str(a.postal_code)],
          ['City', str(a.city)],
          ['Region', str(a.region)],
          ['Country', str(a.country)],
          ['Email', str(a.email)],
          ['Phone', str(a.phone)],
        ]);
  return html`<section class="card" aria-labelledby="${id}"><h2 id="${id}">${title}</h2>${body}</section>`;
}

function orderLines(linesJson: string, money: (n: number) => string): SafeHtml {
  const lines = parseJson(linesJson);
  const list = Array.isArray(lines) ? (lines as Json[]) : [];
  return html`<section class="card" aria-labelledby="lines-title"><h2 id="lines-title">Order lines</h2><div class="table-wrap"><table>
<thead><tr><th scope="col">Reference</th><th scope="col">Name</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Unit price</th>
<th scope="col" class="num">Discount</th><th scope="col" class="num">Tax rate</th><th scope="col" class="num">Total</th></tr></thead>
<tbody>${list.map(
    (l) => html`<tr><td class="mono">${str(l.reference)}</td><td>${str(l.name)}</td>
<td class="num">${str(l.quantity)}${l.quantity_unit ? ` ${str(l.quantity_unit)}` : ''}</td><td class="num">${amountOr(l.unit_price, money)}</td>
<td class="num">${amountOr(l.total_discount_amount, money)}</td><td class="num">${typeof l.tax_rate === 'number' ? `${toMajorUnits(l.tax_rate, 2)} %` : ''}</td>
<td class="num">${amountOr(l.total_amount, money)}</td></tr>`,
  )}</tbody></table></div></section>`;
}

function captures(record: OrderRecord, money: (n: number) => string): SafeHtml {
  const body =
    record.captures.length === 0
      ? html`<p class="empty">Nothing captured yet.</p>`
      : html`<div class="table-wrap"><table><thead><tr><th scope="col">Capture id</th><th scope="col">Klarna reference</th><th scope="col">Captured at</th>
<th scope="col" class="num">Amount</th><th scope="col" class="num">Refunded</th><th scope="col">Reference</th><th scope="col">Description</th></tr></thead>
<tbody>${record.captures.map(
          (c) => html`<tr><td class="mono">${c.capture_id}</td><td class="mono">${c.klarna_reference}</td><td>${time(c.captured_at)}</td>
<td class="num">${money(c.captured_amount)}</td><td class="num">${money(c.refunded_amount)}</td><td>${c.reference ?? ''}</td><td>${c.description ?? ''}</td></tr>`,
        )}</tbody></table></div>`;
  return html`<section class="card" aria-labelledby="captures-title"><h2 id="captures-title">Captures</h2>${body}</section>`;
}

function refunds(record: OrderRecord, money: (n: number) => string): SafeHtml {
  const body =
    record.refunds.length === 0
      ? html`<p class="empty">Nothing refunded.</p>`
      : html`<div class="table-wrap"><table><thead><tr><th scope="col">Refund id</th><th scope="col">Refunded at</th>
<th scope="col" class="num">Amount</th><th scope="col">Reference</th><th scope="col">Description</th></tr></thead>
<tbody>${record.refunds.map(
          (r) => html`<tr><td class="mono">${r.refund_id}</td><td>${time(r.refunded_at)}</td><td class="num">${money(r.refunded_amount)}</td>
<td>${r.reference ?? ''}</td><td>${r.description ?? ''}</td></tr>`,
        )}</tbody></table></div>`;
  return html`<section class="card" aria-labelledby="refunds-title"><h2 id="refunds-title">Refunds</h2>${body}</section>`;
}

/** Every action form names the version of the order it was shown for; its confirmation is bound to it. */
const versionField = (view: OrderView) => html`<input type="hidden" name="version" value="${view.record.version}">`;

/** Why an action's button is disabled: the refusal its decision would give now. */
const notPossible = (reason: string) => `Not possible now: ${reason}`;

function amountForm(view: OrderView, action: AmountAction, label: string, allowed: AmountAvailability, hint: (maximum: number) => string): SafeHtml {
  const { order } = view.record;
  const currency = order.purchase_currency;
  const error = view.amountError?.action === action ? view.amountError : undefined;
  const value = error ? error.value : allowed.allowed ? amountInputText(allowed.maximum, currency, order.locale) : '';
  const described = `${action}-hint${error ? ` ${action}-error` : ''}`;
  const disabled = allowed.allowed ? '' : html` disabled`;
  return html`<form method="get" action="${portalPaths.orderAction(order.order_id, action)}">${versionField(view)}
<div class="field"><label for="${action}-amount">${label} (${currency})</label>
<input id="${action}-amount" name="amount" inputmode="decimal" autocomplete="off" value="${value}" aria-describedby="${described}"${error ? html` aria-invalid="true"` : ''}${disabled}>
<span class="hint" id="${action}-hint">${allowed.allowed ? hint(allowed.maximum) : notPossible(allowed.reason)}</span>
${error ? html`<span class="error-text" id="${action}-error">${error.message}</span>` : ''}</div>
<button type="submit" aria-describedby="${described}"${disabled}>${action === 'capture' ? 'Capture' : 'Refund'}</button></form>`;
}

function actions(view: OrderView, money: (n: number) => string): SafeHtml {
  const id = view.record.order.order_id;
  const { allowed } = view;
  const plain = (action: OrderAction, label: string, description: string, danger = false) => {
    const availability = allowed[action];
    return html`<form method="get" action="${portalPaths.orderAction(id, action)}">${versionField(view)}<span class="hint" id="${action}-hint">${availability.allowed ? description : notPossible(availability.reason)}</span>
<button type="submit" aria-describedby="${action}-hint"${danger ? html` class="danger"` : ''}${availability.allowed ? '' : html` disabled`}>${label}</button></form>`;
  };
  return html`<section class="card" aria-labelledby="actions-title"><h2 id="actions-title">Actions</h2>
<p class="hint">Each action asks you to confirm it first.</p>
<div class="actions">
${amountForm(view, 'capture', 'Amount to capture', allowed.capture, (max) => `Up to ${money(max)} remains authorized.`)}
${amountForm(view, 'refund', 'Amount to refund', allowed.refund, (max) => `Up to ${money(max)} can be refunded.`)}
${plain('cancel', 'Cancel', 'Cancel the whole order (only before anything is captured).', true)}
${plain('release', 'Release remaining', 'Release what remains authorized after a part capture.')}
${plain('extend', 'Extend authorization', 'Move the authorization expiry further out.')}
</div></section>`;
}

export function orderPage(view: OrderView): string {
  const { order, now } = view.record;
  const money = (minor: number) => formatAmount(minor, order.purchase_currency, order.locale);
  const state = orderStateOf(order);
  const remaining = remainingAuthorizedAmount(state, now);
  const refundable = refundableAmount(state);
  const checkout = order.merchant_urls !== null;
  const summary = html`<div class="grid">
<section class="card" aria-labelledby="amounts-title"><h2 id="amounts-title">Amounts</h2>${facts([
    ['Order amount', money(order.order_amount)],
    ['Original amount', order.original_order_amount === order.order_amount ? undefined : money(order.original_order_amount)],
    ['Captured', money(order.captured_amount)],
    ['Refunded', money(order.refunded_amount)],
    ['Remaining authorization', money(remaining)],
    ['Refundable', money(refundable)],
    ['Tax', order.order_tax_amount === null ? undefined : money(order.order_tax_amount)],
  ])}</section>
<section class="card" aria-labelledby="details-title"><h2 id="details-title">Details</h2>${facts([
    ['Order id', html`<span class="mono">${order.order_id}</span>`],
    ['Klarna reference', html`<span class="mono">${order.klarna_reference}</span>`],
    ['Merchant reference 1', order.merchant_reference1 ?? undefined],
    ['Merchant reference 2', order.merchant_reference2 ?? undefined],
    ['Fraud status', order.fraud_status],
    ['Created', time(order.created_at)],
    ['Authorization expires', time(order.expires_at)],
    ['Country, currency, locale', `${order.purchase_country}, ${order.purchase_currency}, ${order.locale}`],
    ['Acknowledged', checkout ? (order.acknowledged === 1 ? 'Yes' : 'Not yet') : undefined],
    ['Customer token', view.record.customerToken && orderTokenFact(view.record.customerToken)],
  ])}</section></div>`;
  return page({
    title: `Order ${order.klarna_reference}`,
    viewer: view.viewer,
    section: 'orders',
    sections: view.sections,
    body: html`<p><a href="${portalPaths.orders}">← All orders</a></p>
<h1>Order <span class="mono">${order.klarna_reference}</span> ${statusBadge(statusOf(state, now))}</h1>
${view.done ? html`<div class="notice ok" role="status">${view.done}</div>` : ''}
${view.changed ? html`<div class="notice error" role="alert"><strong>The order changed</strong> after that confirmation was shown, so nothing was done. This is the order as it is now: check it, then start again.</div>` : ''}
${view.error ? html`<div class="notice error" role="alert"><strong>Refused:</strong> ${view.error}</div>` : ''}
${summary}
${actions(view, money)}
${orderLines(order.order_lines, money)}
<div class="grid">${address('Billing address', 'billing-title', order.billing_address)}${address('Shipping address', 'shipping-title', order.shipping_address)}</div>
${captures(view.record, money)}
${refunds(view.record, money)}
${timeline(view.record.events, money, view.record.eventsLeftOut, view.record.calls)}`,
  });
}
