// What every portal route needs to answer: the options it is built with, who is looking (for the
// page frame), form fields, and HTML pages with their status.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { percentEncodeUnsafe } from '../domain/merchantUrls.js';
import type { VerifyMerchantCredentials } from '../http/auth.js';
import { sendPage } from '../html.js';
import { merchantClock } from '../store/clock.js';
import type { Store } from '../store/dialect.js';
import type { Section, Viewer } from './views/layout.js';
import { messagePage } from './views/message.js';
import { portalPaths } from './paths.js';

export interface PortalOptions {
  store: Store;
  config: Config;
  verifyMerchantCredentials: VerifyMerchantCredentials;
  /** The portal's sections in this instance. */
  sections: readonly Section[];
}

/** The merchant behind the request's session (routes that need one are behind requireSession). */
function viewerOf(request: FastifyRequest, options: PortalOptions): Viewer | undefined {
  const session = request.portalSession;
  if (!session) return undefined;
  return {
    merchantName: session.merchant_name,
    username: session.username,
    csrfToken: session.csrf_token,
    clock:
      options.config.mode === 'sandbox'
        ? { now: merchantClock(options.store, session.clock_offset_seconds).now, offsetSeconds: session.clock_offset_seconds }
        : undefined,
    path: request.url,
  };
}

/** The viewer of a route behind requireSession. */
export function signedIn(request: FastifyRequest, options: PortalOptions): Viewer & { merchantId: string; now: Date } {
  const viewer = viewerOf(request, options);
  const session = request.portalSession;
  if (!viewer || !session) throw new Error('portal route without a session');
  return { ...viewer, merchantId: session.merchant_id, now: merchantClock(options.store, session.clock_offset_seconds).now };
}

/** A form field's value (the first, if repeated), or undefined. */
export function formField(request: FastifyRequest, name: string): string | undefined {
  return request.body instanceof URLSearchParams ? (request.body.get(name) ?? undefined) : undefined;
}

/** Every value of a repeated form field (checkboxes), in the order sent. */
export function formValues(request: FastifyRequest, name: string): string[] {
  return request.body instanceof URLSearchParams ? request.body.getAll(name) : [];
}

export function queryField(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function sendMessage(request: FastifyRequest, reply: FastifyReply, options: PortalOptions, status: number, title: string, message: string) {
  return sendPage(reply, status, messagePage(title, message, viewerOf(request, options), options.sections));
}

/** A portal page a form says to come back to; anything else (another site, junk) is the fallback. */
export function safeReturn(path: string | undefined, fallback = portalPaths.orders): string {
  // Percent-encoded: a Location header cannot carry CR/LF, U+2028 or other non-ASCII text raw.
  return path && /^\/portal\/[^/\\]/.test(path) ? percentEncodeUnsafe(path) : fallback;
}

export function notFoundPage(request: FastifyRequest, reply: FastifyReply, options: PortalOptions) {
  return sendMessage(request, reply, options, 404, 'Not found', 'There is nothing here: the address is wrong, or the order is not one of yours.');
}
