// Every URL of the portal, named once (as Django's admin names its URLs and reverse() builds them):
// links, form actions, redirects and cookie paths come from here. The routes' own patterns are
// relative to PORTAL_PREFIX, where app.ts mounts the portal.
import type { Section } from './views/layout.js';

export const PORTAL_PREFIX = '/portal';

/** The order actions, each a confirmation page (GET) and its form (POST). */
export const ORDER_ACTIONS = ['capture', 'refund', 'cancel', 'release', 'extend'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

const at = (path: string) => `${PORTAL_PREFIX}${path}`;
const order = (orderId: string) => at(`/orders/${orderId}`);
const webhook = (webhookId: string) => at(`/webhooks/${webhookId}`);

export const portalPaths = {
  home: PORTAL_PREFIX,
  login: at('/login'),
  logout: at('/logout'),
  clockAdvance: at('/clock/advance'),
  section: (section: Section) => at(`/${section}`),
  orders: at('/orders'),
  ordersMatching: (query: URLSearchParams) => `${at('/orders')}?${query.toString()}`,
  order,
  /** The order page after an action, saying it is done. */
  orderDone: (orderId: string, action: OrderAction) => `${order(orderId)}?done=${action}`,
  orderAction: (orderId: string, action: OrderAction) => `${order(orderId)}/${action}`,
  webhooks: at('/webhooks'),
  webhooksDeleted: `${at('/webhooks')}?deleted=1`,
  webhooksResent: (deliveryId: string) => `${at('/webhooks')}?resent=${deliveryId}`,
  webhook,
  webhookOlder: (webhookId: string, before: string) => `${webhook(webhookId)}?before=${before}`,
  webhookDelete: (webhookId: string) => `${webhook(webhookId)}/delete`,
  deliveryResend: (webhookId: string, deliveryId: string) => `${webhook(webhookId)}/deliveries/${deliveryId}/resend`,
  tokens: at('/tokens'),
  payouts: at('/payouts'),
  payoutsFrom: (offset: number) => `${at('/payouts')}?offset=${offset}`,
  payout: (reference: string) => at(`/payouts/${encodeURIComponent(reference)}`),
  payoutFrom: (reference: string, offset: number) => `${at(`/payouts/${encodeURIComponent(reference)}`)}?offset=${offset}`,
  payoutCsv: (reference: string) => at(`/payouts/${encodeURIComponent(reference)}/csv`),
};
