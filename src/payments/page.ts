// The hosted test payment page of a session (CONTRACT §14): the cart and the shopper's three
// answers (Approve, Pending, Deny) as one plain form, server-rendered with the escaping templates
// of src/html.ts. After an answer the page carries the result in an <output> and one constant
// inline script (allowed by its hash) hands it to the window that opened or framed it: the drop-in
// api.js, which passes it to the merchant's authorize() callback.
import { createHash } from 'node:crypto';
import { linesTable, noticeHtml, type Notice } from '../checkout/page.js';
import type { PaymentCart, SessionPhase } from '../domain/payments.js';
import { html, trustedHtml, type SafeHtml } from '../html.js';

const CSS = `
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 32rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
.sandbox { margin: 0 0 1rem; color: #5a5a5a; font-size: .875rem; }
table { width: 100%; border-collapse: collapse; margin: 0 0 1rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
th, td { padding: .4rem .25rem; border-bottom: 1px solid #d6d6d6; text-align: left; }
td.n, th.n { text-align: right; white-space: nowrap; }
tfoot th, tfoot td { font-weight: 700; border-bottom: 0; }
.notice { padding: .75rem 1rem; border-radius: .375rem; margin: 0 0 1rem; }
.error { background: #fde8e8; color: #7a1010; border: 1px solid #e6a4a4; }
.info { background: #e8f1fd; color: #0d3a73; border: 1px solid #a4c2e6; }
fieldset { border: 0; padding: 0; margin: 0; display: grid; gap: .5rem; }
legend { font-weight: 600; margin: 0 0 .5rem; padding: 0; }
button { font: inherit; font-weight: 600; padding: .7rem 1rem; border-radius: .375rem; border: 2px solid #0b57d0; background: #0b57d0; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #0b57d0; }
button.deny { background: #fff; color: #a50e0e; border-color: #a50e0e; }
button:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
`;

/** Hands the result in #openom-authorization to the drop-in api.js (the window that opened or framed this page). */
const HANDOFF_SCRIPT = `(function () {
  var o = document.getElementById('openom-authorization');
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (!o || !target) return;
  var result = { approved: o.dataset.approved === 'true', show_form: o.dataset.showForm === 'true' };
  if (o.dataset.token) result.authorization_token = o.dataset.token;
  target.postMessage({ type: 'openom:payments:authorization', session_id: o.dataset.session, result: result }, '*');
})();`;

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only its own stylesheet and hand-off script; any page may frame it (the drop-in api.js does). */
export const PAYMENT_PAGE_CSP = `default-src 'none'; style-src ${hashOf(CSS)}; script-src ${hashOf(HANDOFF_SCRIPT)}; base-uri 'none'`;

const PHASE_NOTICES: Record<Exclude<SessionPhase, 'open'>, Notice> = {
  complete: { tone: 'info', text: 'This payment is complete: the shop has placed the order.' },
  expired: { tone: 'error', text: 'This payment session has expired. Please go back to the shop and start again.' },
};

/** What an answer on the page led to, handed to api.js. */
export type PageResult = { approved: true; authorization_token: string } | { approved: false; show_form: boolean };

function layout(body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>OpenOM test payment</title><style>${trustedHtml(CSS)}</style></head><body><main><h1>Test payment</h1><p class="sandbox">OpenOM sandbox: no real payment is made.</p>${body}</main></body></html>
`.text;
}

function answerForm(action: string): SafeHtml {
  return html`<form method="post" action="${action}"><fieldset><legend>How should this test payment go?</legend><button name="outcome" value="accepted">Approve</button><button name="outcome" value="pending" class="secondary">Pending</button><button name="outcome" value="declined" class="deny">Deny</button></fieldset></form>`;
}

function handoff(sessionId: string, result: PageResult): SafeHtml {
  const token = result.approved ? result.authorization_token : '';
  const showForm = result.approved || result.show_form;
  return html`<output id="openom-authorization" data-session="${sessionId}" data-approved="${String(result.approved)}" data-show-form="${String(showForm)}" data-token="${token}" hidden></output><script>${trustedHtml(HANDOFF_SCRIPT)}</script>`;
}

export interface PaymentPageView {
  sessionId: string;
  /** Where the form posts: absolute, as the page may be the answer to a post itself. */
  authorizeUrl: string;
  cart: PaymentCart;
  phase: SessionPhase;
  result?: PageResult;
}

export function paymentPageHtml(view: PaymentPageView): string {
  const { phase, result } = view;
  const resultNotice =
    result &&
    (result.approved
      ? noticeHtml({ tone: 'info', text: 'Payment authorized. You can return to the shop.' })
      : noticeHtml({ tone: 'error', text: 'The payment was declined. You can choose another outcome.' }));
  return layout(
    html`${resultNotice}${phase !== 'open' && noticeHtml(PHASE_NOTICES[phase])}${linesTable(view.cart)}${phase === 'open' && !result?.approved && answerForm(view.authorizeUrl)}${result && handoff(view.sessionId, result)}`,
  );
}

export function missingPaymentHtml(): string {
  return layout(noticeHtml({ tone: 'error', text: 'This payment session cannot be found. Please go back to the shop and start again.' }));
}
