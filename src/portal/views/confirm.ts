// The confirmation step of an order action: what will happen, and a "Confirm" button whose form
// carries the amount, the CSRF token and an idempotency key made when this page was rendered.
import { html, type SafeHtml } from '../html.js';
import { csrfField, page, type Section, type Viewer } from './layout.js';

export interface ConfirmView {
  viewer: Viewer;
  sections: readonly Section[];
  orderId: string;
  klarnaReference: string;
  action: string;
  title: string;
  /** What confirming will do, in words. */
  question: string;
  /** More about it (e.g. the new expiry), if any. */
  detail?: SafeHtml | string;
  /** The amount as typed (major units), for actions that take one. */
  amount?: string;
  idempotencyKey: string;
}

export function confirmPage(view: ConfirmView): string {
  return page({
    title: view.title,
    viewer: view.viewer,
    section: 'orders',
    sections: view.sections,
    body: html`<div class="confirm card">
<h1>${view.title}</h1>
<p>${view.question}</p>
${view.detail ? html`<p class="hint">${view.detail}</p>` : ''}
<form method="post" action="/portal/orders/${view.orderId}/${view.action}">
  ${csrfField(view.viewer)}
  <input type="hidden" name="idempotency_key" value="${view.idempotencyKey}">
  ${view.amount !== undefined ? html`<input type="hidden" name="amount" value="${view.amount}">` : ''}
  <div class="buttons"><button type="submit">Confirm</button>
  <a href="/portal/orders/${view.orderId}">Back to order ${view.klarnaReference}</a></div>
</form></div>`,
  });
}
