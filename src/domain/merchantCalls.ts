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
