// Browsers are not API clients (CONTRACT §2). A page on another site could otherwise make a
// merchant's browser, which holds its Basic credentials, call the API for it: register a webhook,
// capture, refund. Browsers say where a request comes from (Origin, Sec-Fetch-Site); server-side
// clients, however sloppy, send neither and are judged by their credentials alone. The portal and
// the hosted checkout pages have their own rules (src/portal/session.ts, src/checkout/).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { isOwnOrigin } from './origin.js';

/** Whether a browser sent the request: only browsers send Origin with every cross-origin request and Sec-Fetch-* with every request. */
export function sentByBrowser(request: FastifyRequest): boolean {
  const headers = request.headers;
  return headers.origin !== undefined || headers['sec-fetch-site'] !== undefined || headers['sec-fetch-mode'] !== undefined;
}

/** Whether a browser sent the request from a page that is not OpenOM's own (same-site pages on other ports or subdomains included). */
function fromAnotherOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  // "none": the user opened the URL themselves; "same-origin": one of OpenOM's own pages (/docs).
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  return origin !== undefined && !isOwnOrigin(request, origin);
}

/** onRequest hook of the merchant and admin APIs (app.ts), before authentication: a refused request is no login attempt. */
export function refuseCrossSite(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  if (!fromAnotherOrigin(request)) return done();
  done(
    new ApiError('NOT_ALLOWED', [
      'Cross-site request refused: a browser sent it from a page of another origin. Call the API from your server, not from a web page.',
    ]),
  );
}
