// HTTP Basic for merchants, Bearer for the admin. The two never stand in for each other.
// Verified merchant credentials are cached briefly so scrypt runs once, not on every request.
// Failed attempts are throttled per client address (the APIs and the portal's login) and per
// username; scrypt work is bounded and shared out fairly, so an attacker can neither burn the CPU
// nor starve other merchants' logins.
import { availableParallelism } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findMerchantByUsername } from '../store/merchants.js';
import type { Store } from '../store/dialect.js';
import { ApiError } from './errors.js';
import { FairGate } from './fairGate.js';
import { decoyPasswordHash, sameDigest, sha256, verifyPassword } from '../secrets.js';
import { unstorableReason } from './storableText.js';
import { AttemptThrottle, tooManyFailures, type ThrottleOptions } from './throttle.js';

declare module 'fastify' {
  interface FastifyRequest {
    merchantId: string;
  }
}

export interface AuthOptions extends ThrottleOptions {
  cacheTtlMs: number;
  cacheMaxEntries: number;
}

const unauthorized = () => new ApiError('UNAUTHORIZED', ['Authentication failed: missing or invalid credentials.']);
const scryptBusy = () =>
  new ApiError('TOO_MANY_REQUESTS', ['Too many authentication attempts in progress. Retry later.'], { 'retry-after': '1', connection: 'close' });

/** One scrypt per core at the most (and libuv has four threads): more at once only slows each one down. */
const SCRYPT_CONCURRENCY = Math.min(4, availableParallelism());
/** Checks that may wait for scrypt: per merchant (unknown usernames share one turn), and in all. */
const SCRYPT_WAITING_PER_KEY = 32;
const SCRYPT_WAITING = 128;

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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The Basic credentials, or undefined when missing or malformed (not UTF-8 included). */
function parseBasic(header: string | undefined): MerchantCredentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]{1,4096})\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  let decoded: string;
  try {
    decoded = strictUtf8.decode(Buffer.from(match[1], 'base64'));
  } catch {
    return undefined;
  }
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
 * username), its scrypt gate and credential cache: the API's Basic auth and the portal's login
 * form share one instance, so failures through either count against both.
 */
export function merchantCredentialVerifier(store: Store, options: AuthOptions): VerifyMerchantCredentials {
  const cache = new CredentialCache(options.cacheTtlMs, options.cacheMaxEntries);
  const byAddress = new AttemptThrottle(options);
  const byUsername = new AttemptThrottle(options);
  const scrypt = new FairGate(SCRYPT_CONCURRENCY, SCRYPT_WAITING_PER_KEY, SCRYPT_WAITING);
  // Checks running now, by credentials: the same credentials sent concurrently are one attempt,
  // checked once (scrypt works in 16 MB of native memory per call, and parallel ones for one client
  // opening many connections left the process that much larger for good).
  const checking = new Map<string, Promise<string | undefined>>();

  /** The merchant the credentials log in as, or undefined. */
  async function check(credentials: MerchantCredentials): Promise<string | undefined> {
    const merchant = await findMerchantByUsername(store, credentials.username);
    // Unknown user: verify against a decoy so the answer takes as long as a wrong password.
    const hash = merchant?.password_hash ?? (await decoyPasswordHash());
    const verified = scrypt.tryRun(merchant?.merchant_id ?? '', () => verifyPassword(credentials.password, hash));
    if (!verified) throw scryptBusy();
    return (await verified) && merchant ? merchant.merchant_id : undefined;
  }

  function checkOnce(key: string, credentials: MerchantCredentials): Promise<string | undefined> {
    const checked = check(credentials).finally(() => checking.delete(key));
    checking.set(key, checked);
    return checked;
  }

  return async function verifyMerchantCredentials(given, clientAddress) {
    const now = Date.now();
    // A username no store can hold names no merchant: a failed login like any other.
    const credentials = given && unstorableReason(given.username) === undefined ? given : undefined;
    const key = credentials ? sha256(`${credentials.username}\u0000${credentials.password}`).toString('base64') : undefined;
    const cached = key ? cache.get(key, now) : undefined;
    if (cached) return cached;
    const running = key ? checking.get(key) : undefined;
    if (running) {
      const wait = byAddress.retryAfter(clientAddress, now);
      if (wait > 0) throw tooManyFailures(wait);
      const merchantId = await running;
      if (!merchantId) throw unauthorized();
      return merchantId;
    }
    const wait = byAddress.begin(clientAddress, now);
    if (wait > 0) throw tooManyFailures(wait);
    // Stays false when the store or the scrypt gate fails the check: that is no failed login.
    let failed = false;
    try {
      if (credentials && key) {
        const merchantId = await checkOnce(key, credentials);
        if (merchantId) {
          cache.set(key, merchantId, Date.now());
          return merchantId;
        }
      }
      failed = true;
      if (!credentials) throw unauthorized();
      // Strangers' failures never lock a merchant out: a username over its limit is still checked
      // (when its address is not over its own), and only a wrong password then gets the 429.
      const usernameWait = byUsername.retryAfter(credentials.username, now);
      byUsername.fail(credentials.username, Date.now());
      throw usernameWait > 0 ? tooManyFailures(usernameWait) : unauthorized();
    } finally {
      byAddress.end(clientAddress, Date.now(), failed);
    }
  };
}

export function merchantAuthenticator(verify: VerifyMerchantCredentials) {
  return async function authenticateMerchant(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    request.merchantId = await verify(parseBasic(request.headers.authorization), request.ip);
  };
}

export function adminAuthenticator(tokenDigest: () => Buffer, options: ThrottleOptions) {
  const byAddress = new AttemptThrottle(options);
  return async function authenticateAdmin(request: FastifyRequest): Promise<void> {
    const now = Date.now();
    const wait = byAddress.retryAfter(request.ip, now);
    if (wait > 0) throw tooManyFailures(wait);
    const match = /^Bearer\s+(\S{1,1024})\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !sameDigest(sha256(match[1]), tokenDigest())) {
      byAddress.fail(request.ip, now);
      // The admin API takes a bearer token: challenge for that, not for Basic (RFC 6750 §3).
      throw new ApiError('UNAUTHORIZED', ['Admin authentication failed: missing or invalid bearer token.'], {
        'www-authenticate': 'Bearer realm="OpenOM admin"',
      });
    }
  };
}
