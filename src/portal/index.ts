// The merchant portal (CONTRACT §10) at /portal: server-rendered HTML, same process and port as the
// API, in both modes. Its own CSP (same-origin stylesheet, no scripts), form bodies, HTML error
// pages, and two scopes: the login page, and everything else behind a session.
import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import { ApiError } from '../http/errors.js';
import { isUnavailableError } from '../store/dialect.js';
import { formField, notFoundPage, sendMessage, type PortalOptions } from './respond.js';
import { actionRoutes } from './routes/actions.js';
import { clockRoutes } from './routes/clock.js';
import { loginRoutes, logoutRoutes } from './routes/login.js';
import { orderRoutes } from './routes/order.js';
import { orderListRoutes } from './routes/orders.js';
import { webhookRoutes } from './routes/webhooks.js';
import { payByLinkRoutes } from './routes/payByLink.js';
import { tokenListRoutes } from './routes/tokens.js';
import { payoutRoutes } from './routes/payouts.js';
import { crossSiteProblem, loadSession } from './session.js';
import { STYLESHEET, STYLESHEET_PATH } from './styles.js';
import { PORTAL_PREFIX, portalPaths } from './paths.js';

/** Only what the portal uses, from its own origin: one stylesheet, forms posting back to itself. */
const PORTAL_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const FORM_BODY_LIMIT = 64 * 1024;

export interface PortalPluginOptions extends PortalOptions {
  /** Answers 503 until the store is migrated. */
  requireReady: onRequestHookHandler;
}

export const portal: FastifyPluginAsync<PortalPluginOptions> = async (app, { requireReady, store, config, verifyMerchantCredentials, sections }) => {
  // Named, not spread: the plugin options also carry Fastify's prefix, which sub-plugins must not get again.
  const options: PortalOptions = { store, config, verifyMerchantCredentials, sections };
  app.decorateRequest('portalSession', null);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('content-security-policy', PORTAL_CSP);
    // Not the API's no-referrer: under it browsers send "Origin: null" with the portal's own form
    // posts, and the cross-site check needs their real origin. Other sites still get no referrer.
    reply.header('referrer-policy', 'same-origin');
    // Pages carry a session's data and CSRF token, and Back to a confirmation page must ask the
    // server again (which then sees whether the order changed) rather than show a kept copy.
    reply.header('cache-control', 'no-store');
    done();
  });
  app.addHook('onRequest', requireReady);
  // Forms post urlencoded; the API's JSON-only body rules (src/http/plumbing.ts) leave these alone.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) =>
    done(null, new URLSearchParams(body as string)),
  );

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err instanceof ApiError ? err.statusCode : isUnavailableError(err) ? 503 : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 503) {
      request.log.warn({ err: err.message }, 'store unavailable');
      reply.header('retry-after', '1');
      return sendMessage(request, reply, options, 503, 'Unavailable', 'The portal cannot reach its store right now. Nothing was changed; please try again in a moment.');
    }
    if (status >= 500) {
      request.log.error({ err }, 'portal request failed');
      return sendMessage(request, reply, options, 500, 'Something went wrong', 'An internal error occurred. Nothing was changed.');
    }
    return sendMessage(request, reply, options, status, 'Bad request', 'The request could not be read. Go back and try again.');
  });

  app.setNotFoundHandler(async (request, reply) => {
    request.portalSession = await loadSession(options.store, request);
    return notFoundPage(request, reply, options);
  });

  app.get(STYLESHEET_PATH.slice(PORTAL_PREFIX.length), (_request, reply) => {
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.type('text/css; charset=utf-8').send(STYLESHEET);
  });
  app.get('/', (_request, reply) => reply.redirect(portalPaths.orders, 303));

  await app.register(async (withSessions) => {
    withSessions.addHook('preHandler', async (request) => {
      request.portalSession = await loadSession(options.store, request);
      // The request log line names the merchant, as it does for the API.
      if (request.portalSession) request.merchantId = request.portalSession.merchant_id;
    });
    await withSessions.register(loginRoutes, options);
    await withSessions.register(async (signedIn) => {
      signedIn.addHook('preHandler', async (request, reply) => {
        const session = request.portalSession;
        if (!session) return reply.redirect(portalPaths.login, 303);
        if (request.method !== 'POST') return;
        const problem = crossSiteProblem(request, formField(request, 'csrf_token'), session.csrf_token);
        if (problem) return sendMessage(request, reply, options, 403, 'Refused', `${problem} Reload the page and try again.`);
      });
      for (const routes of [logoutRoutes, orderListRoutes, orderRoutes, actionRoutes]) await signedIn.register(routes, options);
      if (options.config.mode === 'sandbox') await signedIn.register(clockRoutes, options);
      if (options.sections.includes('webhooks')) await signedIn.register(webhookRoutes, options);
      if (options.sections.includes('pay-by-link')) await signedIn.register(payByLinkRoutes, options);
      if (options.sections.includes('tokens')) await signedIn.register(tokenListRoutes, options);
      if (options.sections.includes('payouts')) await signedIn.register(payoutRoutes, options);
    });
  });
};
