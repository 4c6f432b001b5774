// What OpenOM sends to a merchant's own URLs (merchant_urls, CONTRACT §6 and §7).
import type { FraudDecision } from './decisions.js';
import { sendableUrl } from './merchantUrls.js';

const ORDER_ID_PLACEHOLDER = '{checkout.order.id}';

/** The URL as OpenOM calls it: `{checkout.order.id}` stands for the order id; ASCII only (merchantUrls.ts). */
export function merchantUrlFor(template: string, orderId: string): string {
  // Encoded again at use: a URL stored before they were encoded at the boundary is sent safely too.
  return sendableUrl(withOrderId(template, orderId));
}

/** The template with the order id in place of `{checkout.order.id}`, nothing else changed (for validating what was sent). */
export function withOrderId(template: string, orderId: string): string {
  return template.split(ORDER_ID_PLACEHOLDER).join(orderId);
}

/** The event_type of the fraud notification sent when a pending order is decided (CONTRACT §7). */
export type FraudNotificationType = `FRAUD_RISK_${FraudDecision}`;

export function fraudNotificationEventType(decision: FraudDecision): FraudNotificationType {
  return `FRAUD_RISK_${decision}`;
}

/** What an outgoing call was for (CONTRACT §15). */
/** What a call to a merchant's server was for (GET /sandbox/v1/calls?kind=). */
export const MERCHANT_CALL_KINDS = ['push', 'notification', 'validation', 'webhook', 'hpp_status_update', 'payment_authorization'] as const;
export type MerchantCallKind = (typeof MERCHANT_CALL_KINDS)[number];

/** One call to a merchant's server as the sandbox keeps it (GET /sandbox/v1/calls, the portal's timeline). */
export interface RecordedCall {
  kind: MerchantCallKind;
  method: string;
  /** redactedUrl of the URL called. */
  url: string;
  request_body: string | null;
  /** 0 when there was no answer. */
  status: number;
  /** At most RECORDED_BODY_CHARS of the answer. */
  response_body: string | null;
  error: string | null;
  duration_ms: number;
}

/** How much of an answer's body is kept: the first 4 KB. */
export const RECORDED_BODY_CHARS = 4096;

/** Query parameters whose values are hidden when a URL is shown: they look like credentials. */
const SECRET_PARAMETER = /secret|token|key|pass|sig|auth|credential/i;

/**
 * The URL as it may be shown to anyone with sandbox access: no user or password, and the values of
 * query parameters that look like credentials replaced by "redacted" (a merchant's push URL may
 * carry its own secret, as Klarna's examples do).
 */
export function redactedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/\?.*$/, '');
  }
  url.username = '';
  url.password = '';
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (SECRET_PARAMETER.test(name)) url.searchParams.set(name, 'redacted');
  }
  return url.toString();
}
