// /portal/payouts: the merchant's payouts, newest first, and one payout with its transactions and
// its CSV report (CONTRACT §11). Amounts as the Settlements API gives them, formatted per currency.
import { formatAmount } from '../../domain/money.js';
import type { PayoutRow, TransactionRow } from '../../store/settlementReads.js';
import { html, type SafeHtml } from '../../html.js';
import { page, type Section, type Viewer } from './layout.js';
import { portalPaths } from '../paths.js';

const LOCALE = 'en-GB';
const money = (minor: number, currency: string) => formatAmount(minor, currency, LOCALE);
const dateOnly = (iso: string) => iso.slice(0, 10);

export interface PayoutListView {
  viewer: Viewer;
  sections: readonly Section[];
  payouts: PayoutRow[];
  offset: number;
  size: number;
  total: number;
}

function pager(prev: string | undefined, next: string | undefined, newer: string, older: string): SafeHtml | string {
  if (!prev && !next) return '';
  return html`<nav class="pager" aria-label="Pages">${prev ? html`<a href="${prev}">← ${newer}</a>` : ''}${next ? html`<a href="${next}">${older} →</a>` : ''}</nav>`;
}

export function payoutListPage(view: PayoutListView): string {
  const table =
    view.payouts.length === 0
      ? html`<p class="empty card">No payouts yet. A day's captures and refunds are paid out when the sandbox clock has passed their payout date.</p>`
      : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Payouts, newest first</caption>
<thead><tr><th scope="col">Payment reference</th><th scope="col">Payout date</th><th scope="col">Currency</th>
<th scope="col" class="num">Sales</th><th scope="col" class="num">Returns</th><th scope="col" class="num">Fees</th><th scope="col" class="num">Paid out</th><th scope="col">Report</th></tr></thead>
<tbody>${view.payouts.map(
          (p) => html`<tr>
  <td><a class="mono" href="${portalPaths.payout(p.payment_reference)}">${p.payment_reference}</a></td>
  <td>${dateOnly(p.payout_date)}</td><td>${p.currency_code}</td>
  <td class="num">${money(p.totals.sale_amount, p.currency_code)}</td>
  <td class="num">${money(p.totals.return_amount, p.currency_code)}</td>
  <td class="num">${money(p.totals.fee_amount, p.currency_code)}</td>
  <td class="num"><strong>${money(p.totals.settlement_amount, p.currency_code)}</strong></td>
  <td><a href="${portalPaths.payoutCsv(p.payment_reference)}" download>CSV</a></td>
</tr>`,
        )}</tbody></table></div>`;
  const prev = view.offset > 0 ? portalPaths.payoutsFrom(Math.max(0, view.offset - view.size)) : undefined;
  const next = view.offset + view.payouts.length < view.total ? portalPaths.payoutsFrom(view.offset + view.size) : undefined;
  return page({
    title: 'Payouts',
    viewer: view.viewer,
    section: 'payouts',
    sections: view.sections,
    body: html`<h1>Payouts</h1>${table}${pager(prev, next, 'Newer payouts', 'Older payouts')}`,
  });
}

export interface PayoutView {
  viewer: Viewer;
  sections: readonly Section[];
  payout: PayoutRow;
  transactions: TransactionRow[];
  offset: number;
  size: number;
  total: number;
}

export function payoutPage(view: PayoutView): string {
  const { payout: p } = view;
  const c = p.currency_code;
  const prev = view.offset > 0 ? portalPaths.payoutFrom(p.payment_reference, Math.max(0, view.offset - view.size)) : undefined;
  const next = view.offset + view.transactions.length < view.total ? portalPaths.payoutFrom(p.payment_reference, view.offset + view.size) : undefined;
  return page({
    title: `Payout ${p.payment_reference}`,
    viewer: view.viewer,
    section: 'payouts',
    sections: view.sections,
    body: html`<h1>Payout <span class="mono">${p.payment_reference}</span></h1>
<dl class="card facts">
  <dt>Payout date</dt><dd>${dateOnly(p.payout_date)}</dd>
  <dt>Sales</dt><dd>${money(p.totals.sale_amount, c)}</dd>
  <dt>Returns</dt><dd>${money(p.totals.return_amount, c)}</dd>
  <dt>Fees</dt><dd>${money(p.totals.fee_amount, c)}</dd>
  <dt>Paid out</dt><dd><strong>${money(p.totals.settlement_amount, c)}</strong></dd>
  <dt>Transactions</dt><dd>${p.transaction_count}</dd>
</dl>
<p><a href="${portalPaths.payoutCsv(p.payment_reference)}" download>Download the CSV report</a> · <a href="${portalPaths.payouts}">All payouts</a></p>
<h2>Transactions</h2>
<div class="table-wrap"><table>
<caption class="visually-hidden">The payout's transactions, in the order they were made</caption>
<thead><tr><th scope="col">Type</th><th scope="col">Order</th><th scope="col">Capture / refund</th><th scope="col">Sale date</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>${view.transactions.map(
      (t) => html`<tr><td>${t.type}<br><span class="hint">${t.detailed_type}</span></td>
  <td><a class="mono" href="${portalPaths.order(t.order_id)}">${t.short_order_id}</a></td>
  <td class="mono">${t.refund_id ?? t.capture_id ?? ''}</td><td>${t.occurred_at}</td>
  <td class="num">${money(t.amount, c)}</td></tr>`,
    )}</tbody></table></div>
${pager(prev, next, 'Previous transactions', 'Next transactions')}`,
  });
}
