// Every call OpenOM makes to a merchant's server (CONTRACT §7): webhooks, fraud notifications,
// pushes, and the checkout's validation callback. One place sets the rules: a bounded timeout, no
// redirects followed, `User-Agent: OpenOM/<version>`, and an answer that is never thrown: a call
// that got no response reports status 0 and why.
import { RECORDED_BODY_CHARS, redactedUrl, type MerchantCallKind, type RecordedCall } from '../domain/merchantCalls.js';
import { OPENOM_VERSION } from '../version.js';

export interface MerchantCall {
  url: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  body?: string;
  /** Default 10 s (CONTRACT §7); the checkout's validation callback uses 3 s. */
  timeoutMs?: number;
}

export interface MerchantAnswer {
  /** HTTP status, or 0 when there was no answer (refused, reset, timed out, bad URL). */
  status: number;
  headers: Headers;
  /** At most the first 64 KiB of the body, as text. */
  body: string;
  /** Why there was no answer. */
  error?: string;
  durationMs: number;
}

export const USER_AGENT = `OpenOM/${OPENOM_VERSION}`;
const MAX_BODY_BYTES = 64 * 1024;

export function isDelivered(answer: MerchantAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

export async function callMerchant(call: MerchantCall): Promise<MerchantAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(call.url, {
      method: call.method ?? 'POST',
      headers: { 'user-agent': USER_AGENT, ...(call.headers ?? {}) },
      body: call.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(call.timeoutMs ?? 10_000),
    });
    return { status: res.status, headers: res.headers, body: await readCapped(res), durationMs: elapsed() };
  } catch (err) {
    return { status: 0, headers: new Headers(), body: '', error: describeFailure(err), durationMs: elapsed() };
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still leaves the status, which is what counts.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  return (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)).slice(0, 200);
}

/** The call and its answer as the sandbox keeps them (CONTRACT §15). */
export function recordOf(kind: MerchantCallKind, call: MerchantCall, answer: MerchantAnswer): RecordedCall {
  return {
    kind,
    method: call.method ?? 'POST',
    url: redactedUrl(call.url),
    request_body: call.body ?? null,
    status: answer.status,
    response_body: answer.status === 0 ? null : answer.body.slice(0, RECORDED_BODY_CHARS),
    error: answer.error ?? null,
    duration_ms: answer.durationMs,
  };
}
