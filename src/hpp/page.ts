// The Hosted Payment Page's HTML (CONTRACT §13): the hosted test checkout's blocks (layout, order
// lines, notices: src/checkout/page.ts) around a form that also offers "Cancel" and "Back to the
// shop", as Klarna's page does. The page is the top window, so the form needs no target; the
// server answers each choice with a redirect to the merchant's URL for the outcome.
import type { CheckoutOrderFields } from '../domain/checkout.js';
import type { HppPhase, HppSourceKind, HppStatus } from '../domain/hpp.js';
import { html, type SafeHtml } from '../html.js';
import { layout, linesTable, noticeHtml, type Notice } from '../checkout/page.js';

const STATUS_NOTICES: Partial<Record<HppStatus, Notice>> = {
  COMPLETED: { tone: 'info', text: 'Thank you! Your purchase is complete.' },
  CANCELLED: { tone: 'error', text: 'You cancelled the payment. No purchase was made.' },
  FAILED: { tone: 'error', text: 'Your purchase was declined. No order was placed.' },
  BACK: { tone: 'info', text: 'You went back to the shop. Open this link again to pay.' },
  ERROR: { tone: 'error', text: 'This payment can no longer be made. Please contact the shop.' },
  DISABLED: { tone: 'error', text: 'This payment link was disabled by the shop.' },
};
const EXPIRED: Notice = { tone: 'error', text: 'This payment link has expired. Please contact the shop for a new one.' };

/** A Klarna Payments session has no "pending, then reject": its authorizations' reviews are accepted (CONTRACT §14). */
function paymentForm(action: string, source: HppSourceKind): SafeHtml {
  const pendingRejected = source === 'checkout_order' && html`<button name="outcome" value="pending_rejected" class="secondary">Pending, then reject</button>`;
  return html`<form method="post" action="${action}"><label for="email">E-mail (optional)</label><input id="email" name="email" type="email" autocomplete="email" maxlength="100"><fieldset><legend>How should this test purchase go?</legend><button name="outcome" value="accepted">Approve</button><button name="outcome" value="pending_accepted" class="secondary">Pending, then accept</button>${pendingRejected}<button name="outcome" value="denied" class="deny">Deny</button><button name="outcome" value="cancel" class="secondary">Cancel</button><button name="outcome" value="back" class="secondary">Back to the shop</button></fieldset></form>`;
}

export interface HppPageView {
  status: HppStatus;
  phase: HppPhase;
  /** Where the form posts (absolute). */
  payUrl: string;
  /** What the session pays for. */
  source: HppSourceKind;
  /** The cart being paid (the checkout order's or the payment session's), when it can still be read. */
  order?: Pick<CheckoutOrderFields, 'purchase_currency' | 'locale' | 'order_lines' | 'order_amount'>;
}

export function hppPageHtml(view: HppPageView): string {
  const notice = view.phase === 'expired' ? EXPIRED : STATUS_NOTICES[view.status];
  const usable = view.phase === 'usable' && view.status === 'IN_PROGRESS';
  return layout(html`${notice && noticeHtml(notice)}${view.order && linesTable(view.order)}${usable && paymentForm(view.payUrl, view.source)}`);
}

export function missingSessionHtml(): string {
  return layout(noticeHtml({ tone: 'error', text: 'This payment link cannot be found. Please contact the shop.' }));
}
