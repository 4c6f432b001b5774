// Verifying a webhook OpenOM delivered (README, Webhooks): the OpenOM-Signature header is
// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the signing secret>`.
// A delivery is genuine when a v1 matches (compared in constant time: Web Crypto's HMAC verify)
// and t is within the tolerance of now, so a captured delivery cannot be replayed later. Web
// Crypto only, so it runs wherever the client does (Node 20+, Deno, Bun, browsers, workers).

/** The body of every delivery (CONTRACT §7). */
export interface WebhookEvent {
  /** `kevt_…`: the same on every attempt and resend of the event; remember it to ignore repeats. */
  id: string;
  merchant_id: string;
  /** ISO 8601, the merchant's clock. */
  timestamp: string;
  type: string;
  data: { order_id: string; capture_id?: string; refund_id?: string };
}

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

export interface VerifyOptions {
  /** How far t may be from now, in seconds (default 300, as Stripe's). */
  toleranceSeconds?: number;
  /** Now, in unix seconds (default: the system clock); for tests. */
  nowSeconds?: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * Checks a delivery and returns its event; throws WebhookSignatureError when the signature does
 * not match, is malformed, or was made outside the tolerance window (an old or replayed delivery).
 * Pass the body exactly as received (the raw text, before any JSON parsing).
 */
export async function verifyWebhook(rawBody: string, signatureHeader: string | null | undefined, secret: string, options: VerifyOptions = {}): Promise<WebhookEvent> {
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const parts = String(signatureHeader ?? '')
    .split(',')
    .map((part) => part.trim().split('='));
  const t = parts.find(([key]) => key === 't')?.[1] ?? '';
  const signatures = parts.filter(([key, value]) => key === 'v1' && HEX_SHA256.test(value ?? '')).map(([, value]) => hexBytes(value!));
  if (!/^\d{1,12}$/.test(t) || signatures.length === 0) throw new WebhookSignatureError('no OpenOM-Signature with t and v1');
  if (Math.abs(now - Number(t)) > tolerance) throw new WebhookSignatureError(`signed at ${t}, outside the ${tolerance} s tolerance: an old or replayed delivery`);
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const signed = encoder.encode(`${t}.${rawBody}`);
  for (const signature of signatures) {
    if (await crypto.subtle.verify('HMAC', key, signature, signed)) return JSON.parse(rawBody) as WebhookEvent;
  }
  throw new WebhookSignatureError('the signature does not match this body and secret');
}
