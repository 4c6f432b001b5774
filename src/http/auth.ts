// HTTP Basic for merchants, Bearer for the admin. The two never stand in for each other.
// Verified merchant credentials are cached briefly so scrypt runs once, not on every request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findMerchantByUsername } from '../store/merchants.js';
import type { Store } from '../store/dialect.js';
import { ApiError } from './errors.js';
import { decoyPasswordHash, sameDigest, sha256, verifyPassword } from './passwords.js';

declare module 'fastify' {
  interface FastifyRequest {
    merchantId: string;
  }
}

export interface AuthOptions {
  cacheTtlMs: number;
  cacheMaxEntries: number;
  failureLimit: number;
  failureWindowMs: number;
}

const unauthorized = () => new ApiError('UNAUTHORIZED', ['Authentication failed: missing or invalid credentials.']);

/** Fixed-window counters of failed logins per key, bounded in size. */
class FailureThrottle {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds to wait if key is over its limit, else 0. */
  retryAfter(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now || w.count < this.limit) return 0;
    return Math.max(1, Math.ceil((w.resetAt - now) / 1000));
  }

  fail(key: string, now: number): void {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size >= this.maxKeys) this.evictExpired(now);
      this.windows.set(key, { count: 1, resetAt: now + this.windowMs });
    } else {
      w.count++;
    }
  }

  private evictExpired(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    // Still full: drop the oldest entries rather than grow without bound.
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}

/** LRU-ish cache: Map keeps insertion order; the oldest entry goes first when full. */
class CredentialCache {
  private readonly entries = new Map<string, { merchantId: string; expiresAt: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, now: number): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.merchantId;
  }

  set(key: string, merchantId: string, now: number): void {
    if (this.ttlMs === 0 || this.maxEntries === 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { merchantId, expiresAt: now + this.ttlMs });
  }
}

export interface MerchantCredentials {
  username: string;
  password: string;
}

function parseBasic(header: string | undefined): MerchantCredentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]{1,4096})\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Checks a merchant's username and password (missing: undefined) from a client address and
 * returns the merchant id, or throws UNAUTHORIZED or TOO_MANY_REQUESTS.
 */
export type VerifyMerchantCredentials = (credentials: MerchantCredentials | undefined, clientAddress: string) => Promise<string>;

/**
 * The one merchant credential check, with its failed-login throttles (per address and per
 * username) and credential cache: the API's Basic auth and the portal's login form share one
 * instance, so failures through either count against both.
 */
export function merchantCredentialVerifier(store: Store, options: AuthOptions): VerifyMerchantCredentials {
  const cache = new CredentialCache(options.cacheTtlMs, options.cacheMaxEntries);
  const byAddress = new FailureThrottle(options.failureLimit, options.failureWindowMs);
  const byUsername = new FailureThrottle(options.failureLimit, options.failureWindowMs);
  // Requests that arrive together with the same uncached credentials share one verification: scrypt
  // works in 16 MB of native memory per call, and a burst of parallel ones (a client opening many
  // connections at once) left the process's memory that much larger for good.
  const verifying = new Map<string, Promise<string | undefined>>();
  const verifyOnce = (cacheKey: string, credentials: { username: string; password: string }): Promise<string | undefined> => {
    let verification = verifying.get(cacheKey);
    if (!verification) {
      verification = (async () => {
        const merchant = await findMerchantByUsername(store, credentials.username);
        // Unknown user: verify against a decoy so the answer takes as long as a wrong password.
        const ok = await verifyPassword(credentials.password, merchant?.password_hash ?? (await decoyPasswordHash()));
        return merchant && ok ? merchant.merchant_id : undefined;
      })().finally(() => verifying.delete(cacheKey));
      verifying.set(cacheKey, verification);
    }
    return verification;
  };

  return async function verifyMerchantCredentials(credentials, clientAddress) {
    const now = Date.now();
    const cacheKey = credentials ? sha256(`${credentials.username}\u0000${credentials.password}`).toString('base64') : undefined;
    const cached = cacheKey ? cache.get(cacheKey, now) : undefined;
    if (cached) return cached;
    const wait = Math.max(byAddress.retryAfter(clientAddress, now), credentials ? byUsername.retryAfter(credentials.username, now) : 0);
    if (wait > 0) {
      throw new ApiError('TOO_MANY_REQUESTS', ['Too many failed authentication attempts. Retry later.'], { 'retry-after': String(wait) });
    }
    if (!credentials || !cacheKey) {
      byAddress.fail(clientAddress, now);
      throw unauthorized();
    }
    const merchantId = await verifyOnce(cacheKey, credentials);
    if (!merchantId) {
      byAddress.fail(clientAddress, now);
      byUsername.fail(credentials.username, now);
      throw unauthorized();
    }
    cache.set(cacheKey, merchantId, now);
    return merchantId;
  };
}

export function merchantAuthenticator(verify: VerifyMerchantCredentials) {
  return async function authenticateMerchant(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    request.merchantId = await verify(parseBasic(request.headers.authorization), request.ip);
  };
}

export function adminAuthenticator(tokenDigest: () => Buffer) {
  return async function authenticateAdmin(request: FastifyRequest): Promise<void> {
    const match = /^Bearer\s+(\S{1,1024})\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !sameDigest(sha256(match[1]), tokenDigest())) {
      // The admin API takes a bearer token: challenge for that, not for Basic (RFC 6750 §3).
      throw new ApiError('UNAUTHORIZED', ['Admin authentication failed: missing or invalid bearer token.'], {
        'www-authenticate': 'Bearer realm="OpenOM admin"',
      });
    }
  };
}
