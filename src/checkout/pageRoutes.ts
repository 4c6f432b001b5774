// /sandbox/checkout/{order_id}: the hosted test checkout the html_snippet frames (CONTRACT §6).
// No credentials: as with Klarna's snippet, the unguessable order id is the shopper's access.
// Sandbox mode only (app.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CheckoutPhase } from '../domain/checkout.js';
import { sendPage } from '../html.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { CompletionBody } from '../http/schemas/checkout.js';
import { checkoutFieldsOf, phaseOf, readCheckout } from '../store/checkoutOrders.js';
import type { CheckoutOrdersTable } from '../store/schema.js';
import { hostedCheckoutUrl } from './document.js';
import { DECLINED, PAGE_CSP, checkoutPageHtml, merchantDeclined, missingCheckoutHtml, type Notice } from './page.js';
import { attemptPurchase } from './purchase.js';

/** A shopper's page, not the API: an id it cannot find, malformed or not, gets the page's own 404. */
const PageParams = Type.Object({ order_id: Type.String() });

export const hostedCheckoutRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  // The outcome form posts application/x-www-form-urlencoded; an empty field is an absent one.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries([...new URLSearchParams(body as string)].filter(([, value]) => value !== '')));
  });
  // Framed by the merchant's page: these responses lift the API's frame ban.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.removeHeader('x-frame-options');
    reply.header('content-security-policy', PAGE_CSP);
    done();
  });

  const page = (checkout: CheckoutOrdersTable, phase: CheckoutPhase, notice?: Notice) =>
    checkoutPageHtml({
      orderId: checkout.order_id,
      completeUrl: `${hostedCheckoutUrl(config.publicUrl, checkout.order_id)}/complete`,
      order: checkoutFieldsOf(checkout),
      phase,
      notice,
    });

  app.get('/:order_id', { schema: { hide: true, params: PageParams } }, async (request, reply) => {
    const reading = await readCheckout(store, request.params.order_id);
    if (!reading) return sendPage(reply, 404, missingCheckoutHtml());
    return sendPage(reply, 200, page(reading.checkout, phaseOf(reading)));
  });

  app.post(
    '/:order_id/complete',
    { schema: { hide: true, params: PageParams, body: CompletionBody }, config: { formBody: true } },
    async (request, reply) => {
      const attempt = await attemptPurchase({ store, config, log: request.log }, { orderId: request.params.order_id, ...request.body, correlationId: request.id });
      switch (attempt.kind) {
        case 'completed':
          return reply.redirect(attempt.redirect_to, 303);
        case 'rejected':
          if (attempt.redirect_to !== undefined) return reply.redirect(attempt.redirect_to, 303);
          return sendPage(reply, 200, page(attempt.checkout, 'open', merchantDeclined(attempt.error_text)));
        case 'declined':
          return sendPage(reply, 200, page(attempt.checkout, 'open', DECLINED));
        case 'refused':
          return attempt.current ? sendPage(reply, 403, page(attempt.current.checkout, attempt.current.phase)) : sendPage(reply, 404, missingCheckoutHtml());
      }
    },
  );
};
