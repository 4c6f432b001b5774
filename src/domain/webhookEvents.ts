// The order event log's types, which of them merchants can subscribe to as webhooks (CONTRACT §7:
// Kustom's event names, plus OpenOM's own under openom.*), and what an endpoint's URL must be.
import { merchantUrlProblem } from './merchantUrls.js';

export type OrderEventType =
  | 'ORDER_CREATED'
  | 'CAPTURE_CREATED'
  | 'REFUND_CREATED'
  | 'ORDER_CANCELLED'
  | 'REMAINING_AUTHORIZATION_RELEASED'
  | 'AUTHORIZATION_EXTENDED'
  | 'AUTHORIZATION_UPDATED'
  | 'ORDER_ACKNOWLEDGED'
  | 'MERCHANT_REFERENCES_UPDATED'
  | 'CUSTOMER_DETAILS_UPDATED'
  | 'ORDER_SHIPPING_INFO_ADDED'
  | 'CAPTURE_SHIPPING_INFO_ADDED'
  | 'CAPTURE_DUE_DATE_EXTENDED'
  | 'CAPTURE_SEND_OUT_TRIGGERED'
  | 'ORDER_EXPIRED'
  | 'FRAUD_STATUS_CHANGED';

export const WEBHOOK_EVENT_TYPES = [
  'order.created',
  'capture.created',
  'refund.created',
  'openom.order.cancelled',
  'openom.order.expired',
  'openom.order.fraud_status_changed',
  'openom.order.released',
  'openom.customer_token.created',
  'openom.customer_token.cancelled',
  'openom.payout.created',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The webhook an order event fires, if any. A fraud rejection records ORDER_CANCELLED too, so it fires both. */
export const WEBHOOK_EVENT_OF: Partial<Record<OrderEventType, WebhookEventType>> = {
  ORDER_CREATED: 'order.created',
  CAPTURE_CREATED: 'capture.created',
  REFUND_CREATED: 'refund.created',
  ORDER_CANCELLED: 'openom.order.cancelled',
  ORDER_EXPIRED: 'openom.order.expired',
  FRAUD_STATUS_CHANGED: 'openom.order.fraud_status_changed',
  REMAINING_AUTHORIZATION_RELEASED: 'openom.order.released',
};

export const MAX_WEBHOOK_URL_LENGTH = 2_000;
/** Every event fans out to each endpoint inside the command's transaction: the fan-out must stay small (CONTRACT §7). */
export const MAX_WEBHOOKS_PER_MERCHANT = 16;
export const TOO_MANY_WEBHOOKS = `A merchant has at most ${MAX_WEBHOOKS_PER_MERCHANT} webhook endpoints: delete one to add another.`;

/** Why a webhook endpoint URL cannot be used ("must be …"), or undefined: shared by the API and the portal's form. */
export function webhookUrlProblem(url: string): string | undefined {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters long`;
  return merchantUrlProblem(url);
}
