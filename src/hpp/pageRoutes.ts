// /sandbox/hpp/{session_id}: the Hosted Payment Page a session's redirect_url opens (CONTRACT §13),
// and its QR code. No credentials: the unguessable session id is the shopper's access. Opening the
// page moves the session to IN_PROGRESS; the shopper's choice is posted back and answered with a
// redirect to the merchant's URL for the outcome (placeholders filled), or this page saying it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { REDIRECT_FOR_STATUS, hppPhase } from '../domain/hpp.js';
import { sendPage } from '../html.js';
import { absoluteUrl } from '../http/origin.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { PAGE_CSP } from '../checkout/page.js';
import { checkoutFieldsOf, readCheckout } from '../store/checkoutOrders.js';
import type { Store } from '../store/dialect.js';
import { paymentCartOf, readPaymentSession } from '../store/payments.js';
import { changeHppStatus, filledMerchantUrl, hppStateOf, readHppSession } from '../store/hppSessions.js';
import type { HppSessionsTable } from '../store/schema.js';
import { hppPageHtml, missingSessionHtml } from './page.js';
import { hppPaths } from './paths.js';
import { payHppSession } from './payment.js';
import { SHOPPER_CHOICES } from './paymentRequest.js';
import { qrCodeSvg } from './qrCode.js';

/** A shopper's page, not the API: an id it cannot find, malformed or not, gets the page's own 404. */
const PageParams = Type.Object({ session_id: Type.String() });
const ChoiceBody = Type.Object({
  outcome: Type.Union(SHOPPER_CHOICES.map((c) => Type.Literal(c))),
  email: Type.Optional(Type.String({ maxLength: 100, pattern: '^[^\\s@]+@[^\\s@]+$' })),
});

/** The cart the session pays, for the page to show: the checkout order's, or the payment session's. */
async function orderOf(store: Store, session: HppSessionsTable) {
  if (session.source_kind === 'payment_session') {
    const reading = await readPaymentSession(store, session.source_id, session.merchant_id);
    return reading && paymentCartOf(reading.session.document);
  }
  const reading = await readCheckout(store, session.source_id);
  return reading && checkoutFieldsOf(reading.checkout);
}

export const hppPageRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries([...new URLSearchParams(body as string)].filter(([, value]) => value !== '')));
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('content-security-policy', PAGE_CSP);
    done();
  });

  async function showSession(reply: FastifyReply, session: HppSessionsTable, now: Date, payUrl: string) {
    const view = { status: session.status, source: session.source_kind, phase: hppPhase(hppStateOf(session), now), payUrl, order: await orderOf(store, session) };
    return sendPage(reply, 200, hppPageHtml(view));
  }

  app.get('/:session_id', { schema: { hide: true, params: PageParams } }, async (request, reply) => {
    const opened = await changeHppStatus(store, request.params.session_id, 'open');
    const reading = await readHppSession(store, request.params.session_id);
    if (!reading) return sendPage(reply, 404, missingSessionHtml());
    request.log.info({ session_id: reading.session.session_id, status: reading.session.status, opened: opened.ok }, 'HPP page opened');
    return showSession(reply, reading.session, reading.now, absoluteUrl(request, hppPaths.pay(reading.session.session_id)));
  });

  app.post(
    '/:session_id/pay',
    { schema: { hide: true, params: PageParams, body: ChoiceBody }, config: { formBody: true } },
    async (request, reply) => {
      const { outcome, email } = request.body;
      const session = await payHppSession({ store, config, log: request.log }, { sessionId: request.params.session_id, choice: outcome, email, correlationId: request.id });
      if (!session) return sendPage(reply, 404, missingSessionHtml());
      const target = REDIRECT_FOR_STATUS[session.status];
      const url = target && filledMerchantUrl(session, target);
      if (url !== undefined) return reply.redirect(url, 303);
      const reading = await readHppSession(store, session.session_id);
      return showSession(reply, session, reading?.now ?? new Date(), absoluteUrl(request, hppPaths.pay(session.session_id)));
    },
  );

  app.get('/:session_id/qr.svg', { schema: { hide: true, params: PageParams } }, async (request, reply) => {
    const reading = await readHppSession(store, request.params.session_id);
    if (!reading) return sendPage(reply, 404, missingSessionHtml());
    return reply.type('image/svg+xml').send(qrCodeSvg(absoluteUrl(request, hppPaths.page(reading.session.session_id))));
  });
};
