// /ordermanagement/v1/orders/{order_id}/refunds: give money back, up to what was captured.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createRefund } from '../../store/orderCommands.js';
import { readRefundJson } from '../../store/orderDocuments.js';
import { problems } from '../../domain/errorCodes.js';
import { ApiError } from '../errors.js';
import { replyWithCommand, sendJson } from '../commandReply.js';
import { IdempotencyHeaders, OrderIdParams, RefundParams } from '../schemas/common.js';
import { RefundBody, RefundResponse } from '../schemas/orders.js';
import { createdNoBody, refused } from '../schemas/responses.js';
import type { RoutesOptions } from './options.js';

const tags = ['Refunds'];

export const refundRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/:order_id/refunds',
    {
      schema: {
        tags,
        operationId: 'createRefund',
        summary: 'Refund an amount of a captured order',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        body: RefundBody,
        response: { 201: createdNoBody('refund'), 403: refused('REFUND_NOT_ALLOWED') },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, createRefund(request.body)),
  );

  app.get(
    '/:order_id/refunds/:refund_id',
    { schema: { tags, operationId: 'getRefund', summary: 'Get refund details', params: RefundParams, response: { 200: { ...RefundResponse, description: 'The refund' } } } },
    async (request, reply) => {
      const { order_id, refund_id } = request.params;
      const found = await readRefundJson(store, request.merchantId, order_id, refund_id);
      if (!found) throw ApiError.of(problems.noSuchOrder(order_id));
      if (found.found === 'order') throw ApiError.of(problems.noSuchRefund(order_id, refund_id));
      return sendJson(reply, found.json);
    },
  );
};
