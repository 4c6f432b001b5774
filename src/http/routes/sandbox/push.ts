// POST /sandbox/v1/orders/{order_id}/push: the push of a checkout order, now (CONTRACT §5, §7).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pushNow } from '../../../store/push.js';
import { replyWithCommand } from '../../commandReply.js';
import { ErrorBody, IdempotencyHeaders, OrderIdParams } from '../../schemas/common.js';
import type { RoutesOptions } from '../options.js';

export const pushRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/orders/:order_id/push',
    {
      schema: {
        tags: ['Sandbox'],
        summary: "Send a checkout order's push to merchant_urls.push now, outside its schedule",
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        response: { 204: { type: 'null', description: 'Push scheduled now' } as const, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, pushNow),
  );
};
