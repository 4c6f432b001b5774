// The checkout order as the Checkout API returns it, and as the merchant's validation callback
// receives it: the merchant's fields with Klarna's read-only ones, and the html_snippet that
// embeds the hosted test checkout.
import type { CheckoutOrderFields } from '../domain/checkout.js';
import type { CheckoutOrdersTable } from '../store/schema.js';
import { checkoutFieldsOf } from '../store/checkoutOrders.js';
import { escapeHtml } from '../html.js';

export const CHECKOUT_ORDERS_PATH = '/checkout/v3/orders';
export const HOSTED_CHECKOUT_PATH = '/sandbox/checkout';

export function hostedCheckoutUrl(publicUrl: string, orderId: string): string {
  return `${publicUrl}${HOSTED_CHECKOUT_PATH}/${orderId}`;
}

/** Like Klarna's, a fragment the merchant puts into its checkout page as it is. */
function htmlSnippet(publicUrl: string, orderId: string): string {
  return (
    '<div id="openom-checkout-container" style="overflow-x: hidden;">' +
    `<iframe id="openom-checkout-iframe" name="openom-checkout-iframe" title="OpenOM test checkout" src="${escapeHtml(hostedCheckoutUrl(publicUrl, orderId))}"` +
    ' style="width: 100%; min-height: 760px; border: 0;"></iframe></div>'
  );
}

export function checkoutOrderJson(checkout: CheckoutOrdersTable, publicUrl: string, fields: CheckoutOrderFields = checkoutFieldsOf(checkout)): string {
  return JSON.stringify({
    order_id: checkout.order_id,
    status: checkout.status,
    ...fields,
    started_at: checkout.started_at,
    last_modified_at: checkout.last_modified_at,
    ...(checkout.completed_at === null ? {} : { completed_at: checkout.completed_at }),
    html_snippet: htmlSnippet(publicUrl, checkout.order_id),
  });
}
