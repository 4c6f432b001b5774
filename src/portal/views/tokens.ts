// /portal/tokens: the merchant's customer tokens (CONTRACT §12), newest first, and the line the
// order page shows for the token an order made or was paid with.
import { tokenAllows, type TokenStatus } from '../../domain/customerTokens.js';
import { html, type SafeHtml } from '../../html.js';
import type { OrderToken, TokenListRow } from '../../store/customerTokens.js';
import { time } from './formats.js';
import { page, type Section, type Viewer } from './layout.js';
import { portalPaths } from '../paths.js';

const STATUS_NAMES: Record<TokenStatus, string> = { ACTIVE: 'Active', SUSPENDED: 'Suspended', CANCELLED: 'Cancelled' };

/** Reuses the order badges' colours: active as authorized, suspended as pending, cancelled as cancelled. */
const BADGE_CLASS: Record<TokenStatus, string> = { ACTIVE: 'AUTHORIZED', SUSPENDED: 'PART_CAPTURED', CANCELLED: 'CANCELLED' };

const tokenBadge = (status: TokenStatus) => html`<span class="badge ${BADGE_CLASS[status]}">${STATUS_NAMES[status]}</span>`;

export function orderTokenFact(token: OrderToken): SafeHtml {
  const role = token.role === 'created' ? 'made by this checkout' : 'paid this order';
  return html`<span class="mono">${token.token_id}</span> ${tokenBadge(token.status)} <span class="hint">(${role}; <a href="${portalPaths.tokens}">all tokens</a>)</span>`;
}

export interface TokenListView {
  viewer: Viewer;
  sections: readonly Section[];
  tokens: TokenListRow[];
}

function row(token: TokenListRow): SafeHtml {
  const usable = tokenAllows(token.status).order;
  return html`<tr>
  <td class="mono">${token.token_id}</td>
  <td>${tokenBadge(token.status)}${usable ? '' : html`<br><span class="hint">orders are refused</span>`}</td>
  <td>${token.description ?? ''}</td>
  <td>${token.payment_method_type}, ${token.purchase_currency}</td>
  <td class="num">${token.order_count}</td>
  <td><a class="mono" href="${portalPaths.order(token.origin_order_id)}">${token.origin_order_id}</a></td>
  <td>${time(token.created_at)}</td>
</tr>`;
}

export function tokenListPage(view: TokenListView): string {
  const table =
    view.tokens.length === 0
      ? html`<p class="empty card">No customer tokens yet. A checkout order created with <code>"recurring": true</code> makes one when it is completed.</p>`
      : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Customer tokens, newest first</caption>
<thead><tr><th scope="col">Token</th><th scope="col">Status</th><th scope="col">Description</th><th scope="col">Payment method</th>
<th scope="col" class="num">Orders paid</th><th scope="col">Made by checkout order</th><th scope="col">Created</th></tr></thead>
<tbody>${view.tokens.map(row)}</tbody></table></div>`;
  return page({ title: 'Customer tokens', viewer: view.viewer, section: 'tokens', sections: view.sections, body: html`<h1>Customer tokens</h1>${table}` });
}
