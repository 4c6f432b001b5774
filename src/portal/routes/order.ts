// GET /portal/orders/{order_id}: one order. Another merchant's or an unknown order is a 404 page.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { readOrderRecord } from '../../store/orderRecord.js';
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

export async function sendOrderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  options: PortalOptions,
  orderId: string,
  status: number,
  notes: Pick<OrderView, 'done' | 'error' | 'amountError'> = {},
): Promise<FastifyReply> {
  const viewer = signedIn(request, options);
  const record = await readOrderRecord(options.store, viewer.merchantId, orderId);
  if (!record) return notFoundPage(request, reply, options);
  return sendPage(reply, status, orderPage({ viewer, sections: options.sections, record, ...notes }));
}

export const orderRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.get<{ Params: { order_id: string } }>('/orders/:order_id', async (request, reply) => {
    const key = queryField(request, 'done') ?? '';
    const done = Object.hasOwn(DONE_MESSAGES, key) ? DONE_MESSAGES[key] : undefined;
    return sendOrderPage(request, reply, options, request.params.order_id, 200, { done });
  });
};
