// The hosted test checkout's HTML (CONTRACT §6): the order lines and total in the order's currency
// and locale, and the four outcomes as buttons of one plain form. Self-contained: inline CSS
// allowed by its hash, no script, nothing loaded from anywhere. Built with the portal's escaping
// templates (src/html.ts), so every merchant- or shopper-supplied string is escaped.
import { createHash } from 'node:crypto';
import type { CheckoutOrderFields, CheckoutPhase } from '../domain/checkout.js';
import { merchantUrlFor } from '../domain/merchantCalls.js';
import { formatAmount } from '../domain/money.js';
import { html, trustedHtml, type SafeHtml } from '../html.js';

const CSS = `
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 36rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
.sandbox { margin: 0 0 1rem; color: #5a5a5a; font-size: .875rem; }
table { width: 100%; border-collapse: collapse; margin: 0 0 1rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
th, td { padding: .4rem .25rem; border-bottom: 1px solid #d6d6d6; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
tfoot th, tfoot td { font-weight: 700; border-bottom: 0; }
.notice { padding: .75rem 1rem; border-radius: .375rem; margin: 0 0 1rem; }
.error { background: #fde8e8; color: #7a1010; border: 1px solid #e6a4a4; }
.info { background: #e8f1fd; color: #0d3a73; border: 1px solid #a4c2e6; }
label { display: block; font-weight: 600; margin: 0 0 .25rem; }
input { font: inherit; width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid #767676; border-radius: .25rem; margin: 0 0 1rem; }
fieldset { border: 0; padding: 0; margin: 0; display: grid; gap: .5rem; }
legend { font-weight: 600; margin: 0 0 .5rem; padding: 0; }
button { font: inherit; font-weight: 600; padding: .7rem 1rem; border-radius: .375rem; border: 2px solid #0b57d0; background: #0b57d0; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #0b57d0; }
button.deny { background: #fff; color: #a50e0e; border-color: #a50e0e; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
a { color: #0b57d0; }
.terms { font-size: .875rem; color: #5a5a5a; }
`;

/**
 * The hosted page loads only its own CSS. It has no frame-ancestors directive: any merchant page may
 * frame it, wherever it is served from (`frame-ancestors *` would still refuse a file:// page).
 */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; base-uri 'none'`;

export type Notice = { tone: 'error' | 'info'; text: string };

const PHASE_NOTICES: Record<Exclude<CheckoutPhase, 'open'>, Notice> = {
  complete: { tone: 'info', text: 'Thank you! Your purchase is complete.' },
  aborted: { tone: 'error', text: 'This checkout was cancelled by the shop. No purchase was made.' },
  expired: { tone: 'error', text: 'This checkout has expired. Please go back to the shop and start again.' },
};

export const DECLINED: Notice = { tone: 'error', text: 'Your purchase was declined. No order was placed; you can choose another outcome.' };

export function merchantDeclined(errorText: string | undefined): Notice {
  return { tone: 'error', text: errorText === undefined ? 'The shop declined your purchase.' : `The shop could not accept your purchase: ${errorText}` };
}

/** The page's own stylesheet: a constant of this file, inlined as it is (its hash is in PAGE_CSP). */
const STYLE = trustedHtml(CSS);

export function layout(body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>OpenOM test checkout</title><style>${STYLE}</style></head><body><main><h1>Test checkout</h1><p class="sandbox">OpenOM sandbox: no real payment is made.</p>${body}</main></body></html>
`.text;
}

export function noticeHtml(notice: Notice): SafeHtml {
  return html`<p class="notice ${notice.tone}" role="${notice.tone === 'error' ? 'alert' : 'status'}">${notice.text}</p>`;
}

export function linesTable(order: Pick<CheckoutOrderFields, 'purchase_currency' | 'locale' | 'order_lines' | 'order_amount'>): SafeHtml {
  const money = (amount: number) => formatAmount(amount, order.purchase_currency.toUpperCase(), order.locale);
  const rows = order.order_lines.map((line) => {
    const unit = typeof line.quantity_unit === 'string' && line.quantity_unit !== '' ? ` ${line.quantity_unit}` : '';
    return html`<tr><td>${String(line.name)}</td><td class="n">${`${line.quantity}${unit}`}</td><td class="n">${money(line.total_amount)}</td></tr>`;
  });
  return html`<table><caption>Your order</caption><thead><tr><th scope="col">Item</th><th scope="col" class="n">Quantity</th><th scope="col" class="n">Amount</th></tr></thead><tbody>${rows}</tbody><tfoot><tr><th scope="row" colspan="2">Total</th><td class="n">${money(order.order_amount)}</td></tr></tfoot></table>`;
}

/**
 * The outcomes as one form. Approve and the two pending outcomes submit into the top window
 * (formtarget="_top"): a purchase ends on the merchant's confirmation page, which only the top
 * window can show, and navigating it from a form the shopper clicked needs no script. Deny stays
 * in the frame, where the page then says so.
 */
function outcomeForm(action: string): SafeHtml {
  return html`<form method="post" action="${action}"><label for="email">E-mail (optional)</label><input id="email" name="email" type="email" autocomplete="email" maxlength="100"><fieldset><legend>How should this test purchase go?</legend><button name="outcome" value="accepted" formtarget="_top">Approve</button><button name="outcome" value="pending_accepted" formtarget="_top" class="secondary">Pending, then accept</button><button name="outcome" value="pending_rejected" formtarget="_top" class="secondary">Pending, then reject</button><button name="outcome" value="denied" class="deny">Deny</button></fieldset></form>`;
}

function link(url: string, text: string, target: '_top' | '_blank'): SafeHtml {
  return html`<a href="${url}" target="${target}"${target === '_blank' ? html` rel="noopener noreferrer"` : ''}>${text}</a>`;
}

export interface PageView {
  orderId: string;
  /** Where the form posts: absolute, as the page may be the answer to a post itself. */
  completeUrl: string;
  order: CheckoutOrderFields;
  phase: CheckoutPhase;
  /** What the last attempt led to, when it did not end the checkout. */
  notice?: Notice;
}

/** A recurring checkout tells the shopper that the shop will charge them again (CONTRACT §12), and for what. */
function recurringConsent(order: CheckoutOrderFields) {
  if (order.recurring !== true) return '';
  const what = order.recurring_description === undefined ? '' : html` (${order.recurring_description})`;
  return html`<p class="recurring"><strong>Subscription:</strong> completing this purchase lets the shop charge you again later without asking${what}.</p>`;
}

export function checkoutPageHtml(view: PageView): string {
  const { orderId, order, phase } = view;
  const urls = order.merchant_urls;
  return layout(html`${view.notice && noticeHtml(view.notice)}${phase !== 'open' && noticeHtml(PHASE_NOTICES[phase])}${linesTable(order)}${recurringConsent(order)}${
    phase === 'open'
      ? html`${outcomeForm(view.completeUrl)}<p class="terms">By completing the purchase you accept the shop's ${link(merchantUrlFor(urls.terms, orderId), 'terms and conditions', '_blank')}.</p>`
      : (phase === 'expired' || phase === 'aborted') && html`<p>${link(merchantUrlFor(urls.checkout, orderId), 'Back to the shop', '_top')}</p>`
  }`);
}

export function missingCheckoutHtml(): string {
  return layout(noticeHtml({ tone: 'error', text: 'This checkout cannot be found. Please go back to the shop and start again.' }));
}
