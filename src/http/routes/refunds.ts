// /ordermanagement/v1/orders/{order_id}/refunds: give money back, up to what was captured.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createRefund } from '../../store/operations.js';
import { readRefundJson } from '../../store/orderDocuments.js';
import { problems } from '../../domain/errorCodes.js';
import { ApiError } from '../errors.js';
import { replyWithCommand, sendJson } from '../commandReply.js';
import { ErrorBody, IdempotencyHeaders, OrderIdParams, RefundParams } from '../schemas/common.js';
import { RefundBody, RefundResponse } from '../schemas/orders.js';
import type { RoutesOptions } from './options.js';

const tags = ['Refunds'];

export const refundRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/:order_id/refunds',
    {
      schema: {
        tags,
        summary: 'Refund an amount of a captured order',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        body: RefundBody,
        response: {
          201: { type: 'null', description: 'Refund created; see the Location and Refund-Id headers' },
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, createRefund(request.body)),
  );

  app.get(
    '/:order_id/refunds/:refund_id',
    { schema: { tags, summary: 'Get refund details', params: RefundParams, response: { 200: RefundResponse, 404: ErrorBody } } },
    async (request, reply) => {
      const { order_id, refund_id } = request.params;
      const found = await readRefundJson(store, request.merchantId, order_id, refund_id);
      if (!found) throw ApiError.of(problems.noSuchOrder(order_id));
      if (found.found === 'order') throw ApiError.of(problems.noSuchRefund(order_id, refund_id));
      return sendJson(reply, found.json);
    },
  );
};
