// Failed-attempt throttling, one implementation for the merchant and the admin API: fixed windows
// per key (a client address, a username), bounded in size. An attempt counts against the limit
// from the moment it begins, so a burst of concurrent attempts cannot all pass the check before
// the first of them has failed.
import { ApiError } from './errors.js';

export interface ThrottleOptions {
  failureLimit: number;
  failureWindowMs: number;
}

interface Window {
  failures: number;
  resetAt: number;
  inFlight: number;
}

export const tooManyFailures = (retryAfterSeconds: number) =>
  new ApiError('TOO_MANY_REQUESTS', ['Too many failed authentication attempts. Retry later.'], {
    'retry-after': String(retryAfterSeconds),
    connection: 'close',
  });

export class AttemptThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(
    options: ThrottleOptions,
    private readonly maxKeys = 100_000,
  ) {
    this.limit = options.failureLimit;
    this.windowMs = options.failureWindowMs;
  }

  /** Seconds until key's window ends when its failures alone reach the limit, else 0: attempts in flight do not count. */
  lockedFor(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now || w.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((w.resetAt - now) / 1000));
  }

  /** Seconds key must wait before its next attempt (its failures and attempts in flight reach the limit), else 0. */
  retryAfter(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const failures = w.resetAt <= now ? 0 : w.failures;
    if (failures + w.inFlight < this.limit) return 0;
    // Over the limit by failures: until the window ends. By attempts still running: a moment.
    return this.lockedFor(key, now) || 1;
  }

  /** Begins an attempt when key is under its limit (returns 0; it counts until end()), else returns retryAfter. */
  begin(key: string, now: number): number {
    const wait = this.retryAfter(key, now);
    if (wait === 0) this.window(key, now).inFlight++;
    return wait;
  }

  /** Ends an attempt begun with begin(); a failed one keeps counting until its window ends. */
  end(key: string, now: number, failed: boolean): void {
    const w = this.window(key, now);
    w.inFlight = Math.max(0, w.inFlight - 1);
    if (failed) w.failures++;
  }

  /** Records a failed attempt that was checked and decided at once (never in flight). */
  fail(key: string, now: number): void {
    this.window(key, now).failures++;
  }

  private window(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (!w) {
      if (this.windows.size >= this.maxKeys) this.evict(now);
      w = { failures: 0, resetAt: now + this.windowMs, inFlight: 0 };
      this.windows.set(key, w);
    } else if (w.resetAt <= now) {
      w.failures = 0;
      w.resetAt = now + this.windowMs;
    }
    return w;
  }

  private evict(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now && w.inFlight === 0) this.windows.delete(k);
    // Still full: drop the oldest idle entries rather than grow without bound.
    for (const [k, w] of this.windows) {
      if (this.windows.size < this.maxKeys) break;
      if (w.inFlight === 0) this.windows.delete(k);
    }
  }
}
