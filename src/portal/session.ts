// Portal sessions over cookies, and the checks every form post passes. The session itself lives in
// the store (src/store/portalSessions.ts), so every instance knows it; the cookie holds a random
// token whose SHA-256 is the key. Cross-site requests are refused three ways: SameSite=Strict
// cookies, the browser's own word (Sec-Fetch-Site, Origin), and a per-session token in every form.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hostOf } from '../http/origin.js';
import { randomSecret, sha256 } from '../secrets.js';
import { createPortalSession, deletePortalSession, findPortalSession, type PortalSession } from '../store/portalSessions.js';
import type { Store } from '../store/dialect.js';
import { portalPaths } from './paths.js';

const SESSION_COOKIE = 'openom_portal';
/** The login form's own token (double-submit): there is no session to keep it in yet. */
export const LOGIN_COOKIE = 'openom_portal_login';
const SESSION_SECONDS = 8 * 60 * 60;
const LOGIN_FORM_SECONDS = 60 * 60;

export interface ActiveSession extends PortalSession {
  sessionHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    portalSession: ActiveSession | null;
  }
}

export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number, path = portalPaths.home): void {
  // Secure whenever the request came over HTTPS; plain-HTTP sandboxes on localhost still work.
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`);
}

const hashOf = (token: string) => sha256(token).toString('hex');

/** The request's live session, if its cookie names one. */
export async function loadSession(store: Store, request: FastifyRequest): Promise<ActiveSession | null> {
  const token = cookieOf(request, SESSION_COOKIE);
  if (!token || token.length > 200) return null;
  const sessionHash = hashOf(token);
  const session = await findPortalSession(store, sessionHash);
  return session ? { ...session, sessionHash } : null;
}

export async function startSession(store: Store, request: FastifyRequest, reply: FastifyReply, merchantId: string): Promise<void> {
  const token = randomSecret(32);
  await createPortalSession(store, {
    sessionHash: hashOf(token),
    merchantId,
    csrfToken: randomSecret(32),
    expiresAt: Date.now() + SESSION_SECONDS * 1000,
  });
  setCookie(request, reply, SESSION_COOKIE, token, SESSION_SECONDS);
  setCookie(request, reply, LOGIN_COOKIE, '', 0, portalPaths.login);
}

export async function endSession(store: Store, request: FastifyRequest, reply: FastifyReply, session: ActiveSession): Promise<void> {
  await deletePortalSession(store, session.sessionHash);
  setCookie(request, reply, SESSION_COOKIE, '', 0);
}

/** A fresh token for the login form, also set as a cookie the form's post must bring back. */
export function issueLoginToken(request: FastifyRequest, reply: FastifyReply): string {
  const token = randomSecret(24);
  setCookie(request, reply, LOGIN_COOKIE, token, LOGIN_FORM_SECONDS, portalPaths.login);
  return token;
}

function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Why a form post must be refused as cross-site, or undefined. Browsers say where a request
 * comes from (Sec-Fetch-Site, Origin); clients that say nothing still need the form's token.
 * Origin is compared by host only: behind a TLS-terminating proxy the scheme seen here differs.
 */
export function crossSiteProblem(request: FastifyRequest, formToken: string | undefined, expectedToken: string | undefined): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return 'The form was sent from another site.';
  const origin = request.headers.origin;
  if (origin !== undefined && hostOf(origin) !== hostOf(`${request.protocol}://${request.host}`)) return 'The form was sent from another site.';
  if (!sameSecret(formToken, expectedToken)) return 'The form is out of date or was not sent from this portal.';
  return undefined;
}
