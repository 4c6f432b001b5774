// POST /sandbox/v1/orders/{order_id}/push: the push of a checkout order, now (CONTRACT §5, §7).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pushNow } from '../../../store/push.js';
import { replyWithCommand } from '../../commandReply.js';
import { IdempotencyHeaders, OrderIdParams } from '../../schemas/common.js';
import { noBody, refused } from '../../schemas/responses.js';
import type { RoutesOptions } from '../options.js';

export const pushRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/orders/:order_id/push',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'pushOrderNow',
        summary: "Send a checkout order's push to merchant_urls.push now, outside its schedule",
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        response: { 204: noBody('The push is queued; it is sent within 2 seconds'), 403: refused('NOT_ALLOWED', 'the order has no push URL (it was not made through the checkout)') },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, pushNow),
  );
};
