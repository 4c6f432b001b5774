// Sandbox faults on demand (CONTRACT §5): a merchant asks for its next matching requests to fail
// (or to be slow) so it can test its error handling without changing its client. These are the
// rules of what a fault may be, which requests it answers and with which Klarna error code; the
// store keeps faults per merchant and the HTTP layer applies them (src/http/faults.ts).
import { accept, refuse, type Decision } from './decision.js';
import { ERROR_CODES, type ErrorCode } from './errorCodes.js';

export const FAULT_LIMITS = {
  maxTimes: 1000,
  /** A merchant's active faults are read on every one of its requests: keep that read small. */
  maxActive: 100,
  maxPathLength: 1000,
  maxDelayMs: 20_000,
} as const;

/**
 * The APIs a fault can target: the merchant's own Order Management, Checkout and Customer Token
 * calls. Never the sandbox helpers, or a merchant could lock itself out of deleting its faults.
 */
const FAULTABLE_PREFIXES = ['/ordermanagement/', '/checkout/', '/payments/', '/customer-token/'] as const;

/** Whether requests under this path (a route prefix or a fault's path) can be faulted. */
export function isFaultablePath(path: string): boolean {
  return FAULTABLE_PREFIXES.some((prefix) => `${path}/`.startsWith(prefix));
}

/** `*` stands for exactly one non-empty path segment; every other segment must be equal. */
export function faultPathMatches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((segment, i) => (segment === '*' ? got[i] !== '' : segment === got[i]));
}

/**
 * How the server this fault imitates would say it: the Klarna code for the status, with the
 * refusal a Klarna client expects on that path (CAPTURE_NOT_ALLOWED on captures, NO_SUCH_ORDER
 * for an order).
 */
export function defaultFaultErrorCode(status: number, path: string): ErrorCode {
  const segments = path.split('/');
  const ordersAt = segments.indexOf('orders');
  const isOrderPath = ordersAt >= 0 && ordersAt < segments.length - 1;
  switch (status) {
    case 400:
      return 'BAD_VALUE';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      if (segments.includes('captures')) return 'CAPTURE_NOT_ALLOWED';
      // A declined renewal is what a merchant charging a customer token has to handle (CONTRACT §12).
      return segments[1] === 'customer-token' ? 'PAYMENT_METHOD_FAILED' : 'NOT_ALLOWED';
    case 404:
      return isOrderPath ? 'NO_SUCH_ORDER' : 'NOT_FOUND';
    case 429:
      return 'TOO_MANY_REQUESTS';
    case 502:
    case 503:
    case 504:
      return 'SERVICE_UNAVAILABLE';
  }
  return status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_VALUE';
}

/** Codes that tell the client to come back later carry Retry-After, as the real refusals do. */
export function faultRetryAfterSeconds(code: ErrorCode): number | undefined {
  return code === 'SERVICE_UNAVAILABLE' || code === 'TOO_MANY_REQUESTS' ? 1 : undefined;
}

export function faultMessage(faultId: string, code: ErrorCode): string {
  return `Sandbox fault ${faultId}: ${ERROR_CODES[code].meaning}`;
}

export interface FaultRequest {
  method: string;
  path: string;
  /** 0: no error, only the delay. */
  status: number;
  error_code?: ErrorCode;
  delay_ms?: number;
  times?: number;
}

/** A fault as it is kept: method upper-case, error code resolved (null when status is 0). */
export interface FaultSpec {
  method: string;
  path: string;
  status: number;
  error_code: ErrorCode | null;
  delay_ms: number;
  times: number;
}

/**
 * Checks what the schema cannot say and resolves the defaults. maxDelayMs is the server's bound
 * (a delay must end well before the connection's idle timeout closes it).
 */
export function decideFault(req: FaultRequest, maxDelayMs: number): Decision<FaultSpec> {
  if (!req.path.startsWith('/') || /[?#\s]/.test(req.path)) {
    return refuse('BAD_VALUE', 'Bad value: path (must be an absolute path such as /ordermanagement/v1/orders/*/captures, without query)');
  }
  if (!isFaultablePath(req.path)) {
    return refuse('BAD_VALUE', `Bad value: path (must start with ${FAULTABLE_PREFIXES.join(' or ')}: only the Order Management, Checkout, Klarna Payments and Customer Token APIs can be faulted)`);
  }
  const delay_ms = req.delay_ms ?? 0;
  if (delay_ms > maxDelayMs) return refuse('BAD_VALUE', `Bad value: delay_ms (must be at most ${maxDelayMs} on this server)`);
  if (req.status === 0 && req.error_code !== undefined) {
    return refuse('BAD_VALUE', 'Bad value: error_code (only with an error status; status 0 only delays the real answer)');
  }
  if (req.status === 0 && delay_ms === 0) return refuse('BAD_VALUE', 'Bad value: delay_ms (status 0 needs a delay, or the fault would change nothing)');
  const error_code = req.status === 0 ? null : (req.error_code ?? defaultFaultErrorCode(req.status, req.path));
  return accept({ method: req.method.toUpperCase(), path: req.path, status: req.status, error_code, delay_ms, times: req.times ?? 1 });
}
