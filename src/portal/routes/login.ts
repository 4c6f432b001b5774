// Logging in and out. The login form checks credentials with the API's own verifier, so failed
// logins here and failed Basic auth on the API count against the same throttle.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../http/errors.js';
import { sendPage } from '../../html.js';
import { formField, type PortalOptions } from '../respond.js';
import { LOGIN_COOKIE, cookieOf, crossSiteProblem, endSession, issueLoginToken, startSession } from '../session.js';
import { loginPage } from '../views/login.js';
import { portalPaths } from '../paths.js';

function sendLogin(request: FastifyRequest, reply: FastifyReply, status: number, error?: string, username?: string) {
  return sendPage(reply, status, loginPage({ loginToken: issueLoginToken(request, reply), error, username }));
}

/** GET and POST /portal/login: no session needed. */
export const loginRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.get('/login', async (request, reply) => {
    if (request.portalSession) return reply.redirect(portalPaths.orders, 303);
    return sendLogin(request, reply, 200);
  });

  app.post('/login', async (request, reply) => {
    const problem = crossSiteProblem(request, formField(request, 'login_token'), cookieOf(request, LOGIN_COOKIE));
    if (problem) return sendLogin(request, reply, 403, `${problem} Please log in again.`);
    const username = (formField(request, 'username') ?? '').slice(0, 200);
    const password = (formField(request, 'password') ?? '').slice(0, 1000);
    let merchantId: string;
    try {
      merchantId = await options.verifyMerchantCredentials(username && password ? { username, password } : undefined, request.ip);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.errorCode === 'TOO_MANY_REQUESTS') {
        reply.header('retry-after', err.headers['retry-after'] ?? '60');
        return sendLogin(request, reply, 429, `Too many failed logins. Try again in ${err.headers['retry-after'] ?? '60'} seconds.`, username);
      }
      if (err.errorCode === 'UNAUTHORIZED') return sendLogin(request, reply, 401, 'Wrong username or password.', username);
      throw err;
    }
    await startSession(options.store, request, reply, merchantId);
    return reply.redirect(portalPaths.orders, 303);
  });
};

/** POST /portal/logout: behind the session and CSRF checks like every other form. */
export const logoutRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.post('/logout', async (request, reply) => {
    if (request.portalSession) await endSession(options.store, request, reply, request.portalSession);
    return reply.redirect(portalPaths.login, 303);
  });
};
