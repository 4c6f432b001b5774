// GET /portal/orders/{order_id}: one order. Another merchant's or an unknown order is a 404 page.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { orderAvailability, type OrderAvailability } from '../../domain/availability.js';
import { readOrderRecord, type OrderRecord } from '../../store/orderRecord.js';
import { orderStateOf } from '../../store/orders.js';
import { sendPage } from '../../html.js';
import { notFoundPage, queryField, signedIn, type PortalOptions } from '../respond.js';
import { orderPage, type OrderView } from '../views/order.js';
import type { OrderAction } from '../paths.js';

/** What a successful action says when the order page shows again (the redirect names the action). */
const DONE_MESSAGES: Record<string, string> = {
  capture: 'Capture created.',
  refund: 'Refund created.',
  cancel: 'Order cancelled.',
  release: 'Remaining authorization released.',
  extend: 'Authorization extended.',
} satisfies Record<OrderAction, string>;

/** What the order allows now, as the commands would decide it (under this instance's API profile). */
export function allowedActions(record: OrderRecord, options: PortalOptions): OrderAvailability {
  return orderAvailability(orderStateOf(record.order), record.captures, record.now, options.config.profile);
}

export type OrderNotes = Pick<OrderView, 'done' | 'error' | 'amountError' | 'changed'>;

/** The order page for a record just read. */
export function sendOrderRecord(request: FastifyRequest, reply: FastifyReply, options: PortalOptions, record: OrderRecord, status: number, notes: OrderNotes = {}): FastifyReply {
  const viewer = signedIn(request, options);
  return sendPage(reply, status, orderPage({ viewer, sections: options.sections, record, allowed: allowedActions(record, options), ...notes }));
}

export async function sendOrderPage(request: FastifyRequest, reply: FastifyReply, options: PortalOptions, orderId: string, status: number, notes: OrderNotes = {}): Promise<FastifyReply> {
  const record = await readOrderRecord(options.store, signedIn(request, options).merchantId, orderId);
  if (!record) return notFoundPage(request, reply, options);
  return sendOrderRecord(request, reply, options, record, status, notes);
}

export const orderRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.get<{ Params: { order_id: string } }>('/orders/:order_id', async (request, reply) => {
    const key = queryField(request, 'done') ?? '';
    const done = Object.hasOwn(DONE_MESSAGES, key) ? DONE_MESSAGES[key] : undefined;
    return sendOrderPage(request, reply, options, request.params.order_id, 200, { done });
  });
};
