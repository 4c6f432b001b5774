// /sandbox/payments: the hosted test payment page of a session and the drop-in api.js beside it
// (CONTRACT §14). No credentials: as with Klarna's widget, the unguessable session id is the
// shopper's access. Sandbox mode and the klarna profile only (app.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPage } from '../html.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { authorizePaymentSession, paymentCartOf, readPaymentSession } from '../store/payments.js';
import { hostedPaymentUrl } from './document.js';
import { BADGE_SVG, DROP_IN_SCRIPT } from './dropIn.js';
import { PAYMENT_PAGE_CSP, missingPaymentHtml, paymentPageHtml, type PageResult } from './page.js';
import { AuthorizeBody } from './schemas.js';

/** A shopper's page, not the API: an id it cannot find, malformed or not, gets the page's own 404. */
const PageParams = Type.Object({ session_id: Type.String() });

export const hostedPaymentRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries([...new URLSearchParams(body as string)].filter(([, value]) => value !== '')));
  });

  // Any merchant page may load the script, from any origin, as it loads Klarna's.
  app.get('/lib/v1/api.js', { schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(DROP_IN_SCRIPT));
  app.get('/lib/v1/badge.svg', { schema: { hide: true } }, async (_request, reply) => reply.type('image/svg+xml').send(BADGE_SVG));

  const pageHeaders = { 'content-security-policy': PAYMENT_PAGE_CSP };
  const render = async (sessionId: string, status: number, reply: Parameters<typeof sendPage>[0], result?: PageResult) => {
    // Framed by the drop-in's overlay on the merchant's page: these responses lift the API's frame ban.
    reply.removeHeader('x-frame-options');
    reply.headers(pageHeaders);
    const reading = await readPaymentSession(store, sessionId);
    if (!reading) return sendPage(reply, 404, missingPaymentHtml());
    const view = { sessionId: reading.session.session_id, authorizeUrl: `${hostedPaymentUrl(config.publicUrl, reading.session.session_id)}/authorize`, cart: paymentCartOf(reading.session.document), phase: reading.phase };
    return sendPage(reply, status, paymentPageHtml(result ? { ...view, result } : view));
  };

  app.get('/:session_id', { schema: { hide: true, params: PageParams } }, async (request, reply) => render(request.params.session_id, 200, reply));

  app.post('/:session_id/authorize', { schema: { hide: true, params: PageParams, body: AuthorizeBody }, config: { formBody: true } }, async (request, reply) => {
    const { session_id } = request.params;
    const result = await authorizePaymentSession(store, { sessionId: session_id, outcome: request.body.outcome });
    if (!result.ok) return render(session_id, result.code === 'NOT_FOUND' ? 404 : 403, reply);
    const answer = result.value;
    return render(session_id, 200, reply, answer.approved ? { approved: true, authorization_token: answer.authorization_token } : { approved: false, show_form: false });
  });
};
