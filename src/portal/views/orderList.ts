// /portal/orders: the merchant's orders, newest first, with a status filter, search and pages.
import { statusOf } from '../../domain/order.js';
import { LISTED_STATUSES, NOT_ACKNOWLEDGED, type OrderCursor, type OrderListFilter, type OrderListPage } from '../../store/orderList.js';
import { orderStateOf } from '../../store/orders.js';
import { html, type SafeHtml } from '../../html.js';
import { formatAmount } from '../../domain/money.js';
import { time } from './formats.js';
import { page, type Section, type Viewer } from './layout.js';
import { STATUS_NAMES, statusBadge } from './status.js';
import { portalPaths } from '../paths.js';

export interface OrderListView {
  viewer: Viewer & { now: Date };
  sections: readonly Section[];
  list: OrderListPage;
  filter?: OrderListFilter;
  search?: string;
}

const encodeCursor = (c: OrderCursor) => `${c.created_at}_${c.order_id}`;

function listUrl(view: OrderListView, page: { after?: OrderCursor; before?: OrderCursor }): string {
  const params = new URLSearchParams();
  if (view.filter) params.set('status', view.filter);
  if (view.search) params.set('q', view.search);
  if (page.after) params.set('after', encodeCursor(page.after));
  if (page.before) params.set('before', encodeCursor(page.before));
  return portalPaths.ordersMatching(params);
}

function filterForm(view: OrderListView): SafeHtml {
  const options: [string, string][] = [
    ['', 'All statuses'],
    ...LISTED_STATUSES.map((s): [string, string] => [s, STATUS_NAMES[s]]),
    [NOT_ACKNOWLEDGED, 'Not acknowledged'],
  ];
  return html`<form class="filters" method="get" action="${portalPaths.orders}" role="search" aria-label="Orders">
  <div class="field"><label for="q">Search</label>
    <input id="q" name="q" type="search" maxlength="255" value="${view.search ?? ''}" aria-describedby="q-hint" size="34">
    <span class="hint" id="q-hint">Order id, Klarna reference or merchant reference (exact)</span></div>
  <div class="field"><label for="status">Status</label>
    <select id="status" name="status">${options.map(
      ([value, name]) => html`<option value="${value}"${(view.filter ?? '') === value ? html` selected` : ''}>${name}</option>`,
    )}</select></div>
  <div class="field"><button type="submit">Search</button></div>
  ${view.filter || view.search ? html`<div class="field"><a href="${portalPaths.orders}">Show all orders</a></div>` : ''}
</form>`;
}

function rows(view: OrderListView): SafeHtml {
  return html`${view.list.rows.map((row) => {
    const money = (minor: number) => formatAmount(minor, row.purchase_currency, row.locale);
    return html`<tr>
  <td><a class="mono" href="${portalPaths.order(row.order_id)}">${row.order_id}</a></td>
  <td class="mono">${row.klarna_reference}</td>
  <td>${row.merchant_reference1 ?? ''}${row.merchant_reference2 ? html`<br><span class="hint">${row.merchant_reference2}</span>` : ''}</td>
  <td>${statusBadge(statusOf(orderStateOf(row), view.viewer.now))}</td>
  <td class="num">${money(row.order_amount)}</td>
  <td class="num">${money(row.captured_amount)}</td>
  <td class="num">${money(row.refunded_amount)}</td>
  <td>${time(row.created_at)}</td>
</tr>`;
  })}`;
}

export function orderListPage(view: OrderListView): string {
  const { list } = view;
  const narrowed = view.filter !== undefined || (view.search ?? '') !== '';
  const table =
    list.rows.length === 0
      ? html`<p class="empty card">${narrowed ? 'No orders match.' : 'No orders yet.'}</p>`
      : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Orders, newest first</caption>
<thead><tr><th scope="col">Order id</th><th scope="col">Klarna reference</th><th scope="col">Merchant references</th><th scope="col">Status</th>
<th scope="col" class="num">Order amount</th><th scope="col" class="num">Captured</th><th scope="col" class="num">Refunded</th><th scope="col">Created</th></tr></thead>
<tbody>${rows(view)}</tbody></table></div>`;
  const pager =
    list.newer || list.older
      ? html`<nav class="pager" aria-label="Pages">
${list.newer ? html`<a href="${listUrl(view, { before: list.newer })}">← Newer orders</a>` : ''}
${list.older ? html`<a href="${listUrl(view, { after: list.older })}">Older orders →</a>` : ''}</nav>`
      : '';
  return page({
    title: 'Orders',
    viewer: view.viewer,
    section: 'orders',
    sections: view.sections,
    body: html`<h1>Orders</h1>${filterForm(view)}${table}${pager}`,
  });
}
