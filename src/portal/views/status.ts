import type { OrderStatus } from '../../domain/order.js';
import { html } from '../../html.js';

export const STATUS_NAMES: Record<OrderStatus, string> = {
  AUTHORIZED: 'Authorized',
  PART_CAPTURED: 'Part captured',
  CAPTURED: 'Captured',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
  CLOSED: 'Closed',
};

/** The status as a badge: its words carry the meaning, the colour only helps. */
export const statusBadge = (status: OrderStatus) => html`<span class="badge ${status}">${STATUS_NAMES[status]}</span>`;
