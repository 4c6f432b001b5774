// HTTP Basic for merchants, Bearer for the admin. The two never stand in for each other.
// Verified merchant credentials are cached briefly so scrypt runs once, not on every request; each
// use of a cached one still reads the merchant's stored credentials, so a rotation on any instance
// refuses the old password at once everywhere.
// Failed attempts are throttled per client address (the APIs and the portal's login) and per
// username; scrypt work is bounded and shared out fairly, so an attacker can neither burn the CPU
// nor starve other merchants' logins.
import { availableParallelism } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { credentialStamp, findMerchantByUsername, merchantCredentialStamp } from '../store/merchants.js';
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

/** A merchant the credentials log in as, and its stored credentials as they were when checked. */
interface Verified {
  merchantId: string;
  /** merchantCredentialStamp(): changes with every new password or username. */
  stamp: string;
}

/** LRU-ish cache: Map keeps insertion order; the oldest entry goes first when full. */
class CredentialCache {
  private readonly entries = new Map<string, Verified & { expiresAt: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, now: number): Verified | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, verified: Verified, now: number): void {
    if (this.ttlMs === 0 || this.maxEntries === 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { ...verified, expiresAt: now + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
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
  const checking = new Map<string, Promise<Verified | undefined>>();

  /** The merchant the credentials log in as, or undefined. */
  async function check(credentials: MerchantCredentials): Promise<Verified | undefined> {
    const merchant = await findMerchantByUsername(store, credentials.username);
    // Unknown user: verify against a decoy so the answer takes as long as a wrong password.
    const hash = merchant?.password_hash ?? (await decoyPasswordHash());
    const verified = scrypt.tryRun(merchant?.merchant_id ?? '', () => verifyPassword(credentials.password, hash));
    if (!verified) throw scryptBusy();
    return (await verified) && merchant ? { merchantId: merchant.merchant_id, stamp: credentialStamp(merchant) } : undefined;
  }

  /** The cached merchant, if its stored credentials are still those it was verified against. */
  async function stillCurrent(key: string, cached: Verified): Promise<string | undefined> {
    if ((await merchantCredentialStamp(store, cached.merchantId)) === cached.stamp) return cached.merchantId;
    cache.delete(key);
    return undefined;
  }

  function checkOnce(key: string, credentials: MerchantCredentials): Promise<Verified | undefined> {
    const checked = check(credentials).finally(() => checking.delete(key));
    checking.set(key, checked);
    return checked;
  }

  return async function verifyMerchantCredentials(given, clientAddress) {
    const now = Date.now();
    // An address over its limit is refused before the cache is looked at: a right password still
    // cached would otherwise answer 200 among the 429s, a fast oracle for guessing (CONTRACT §2).
    const locked = byAddress.lockedFor(clientAddress, now);
    if (locked > 0) throw tooManyFailures(locked);
    // A username no store can hold names no merchant: a failed login like any other.
    const credentials = given && unstorableReason(given.username) === undefined ? given : undefined;
    const key = credentials ? sha256(`${credentials.username}\u0000${credentials.password}`).toString('base64') : undefined;
    const cached = key ? cache.get(key, now) : undefined;
    const current = key && cached ? await stillCurrent(key, cached) : undefined;
    if (current) return current;
    const running = key ? checking.get(key) : undefined;
    if (running) {
      const wait = byAddress.retryAfter(clientAddress, now);
      if (wait > 0) throw tooManyFailures(wait);
      const verified = await running;
      if (!verified) throw unauthorized();
      return verified.merchantId;
    }
    const wait = byAddress.begin(clientAddress, now);
    if (wait > 0) throw tooManyFailures(wait);
    // Stays false when the store or the scrypt gate fails the check: that is no failed login.
    let failed = false;
    try {
      if (credentials && key) {
        const verified = await checkOnce(key, credentials);
        if (verified) {
          cache.set(key, verified, Date.now());
          return verified.merchantId;
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
    const header = request.headers.authorization;
    // No credentials at all is a question, not a failed login: .NET's HttpClient (so Klarna's .NET
    // SDK) sends every request so first and repeats it with Basic after the challenge (CONTRACT §2).
    if (header === undefined) throw unauthorized();
    request.merchantId = await verify(parseBasic(header), request.ip);
  };
}

export function adminAuthenticator(tokenDigest: () => Buffer, options: ThrottleOptions) {
  const byAddress = new AttemptThrottle(options);
  return async function authenticateAdmin(request: FastifyRequest): Promise<void> {
    const now = Date.now();
    const wait = byAddress.retryAfter(request.ip, now);
    if (wait > 0) throw tooManyFailures(wait);
    const header = request.headers.authorization;
    const match = /^Bearer\s+(\S{1,1024})\s*$/i.exec(header ?? '');
    if (!match?.[1] || !sameDigest(sha256(match[1]), tokenDigest())) {
      // As for merchants: a request without credentials asks for the challenge; it guesses nothing.
      if (header !== undefined) byAddress.fail(request.ip, now);
      // The admin API takes a bearer token: challenge for that, not for Basic (RFC 6750 §3).
      throw new ApiError('UNAUTHORIZED', ['Admin authentication failed: missing or invalid bearer token.'], {
        'www-authenticate': 'Bearer realm="OpenOM admin"',
      });
    }
  };
}
