// /ordermanagement/v1/orders/{order_id}: read the order and change it as a whole.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readOrderJson } from '../../store/orderDocuments.js';
import {
  acknowledgeOrder,
  addOrderShippingInfo,
  cancelOrder,
  extendAuthorizationTime,
  releaseRemainingAuthorization,
  updateAuthorization,
  updateCustomerDetails,
  updateMerchantReferences,
} from '../../store/operations.js';
import type { OrderCommand } from '../../store/commands.js';
import { problems } from '../../domain/errorCodes.js';
import { ApiError } from '../errors.js';
import { replyWithCommand, sendJson } from '../commandReply.js';
import { ErrorBody, IdempotencyHeaders, OrderIdParams } from '../schemas/common.js';
import {
  CustomerDetailsBody,
  MerchantReferencesBody,
  OrderResponse,
  ShippingInfoBody,
  UpdateAuthorizationBody,
} from '../schemas/orders.js';
import type { RoutesOptions } from './options.js';

const tags = ['Orders'];
const errors = { 403: ErrorBody, 404: ErrorBody };
const noContent = { 204: { type: 'null', description: 'Done' } as const, ...errors };

export const orderRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.get(
    '/:order_id',
    {
      schema: {
        tags,
        summary: 'Get order details',
        params: OrderIdParams,
        response: { 200: OrderResponse, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const order = await readOrderJson(store, request.merchantId, request.params.order_id);
      if (order === undefined) throw ApiError.of(problems.noSuchOrder(request.params.order_id));
      return sendJson(reply, order);
    },
  );

  // Operations that take no body: any body a client sends along is ignored.
  const bodiless: [string, string, OrderCommand][] = [
    ['/:order_id/acknowledge', 'Acknowledge an order', acknowledgeOrder],
    ['/:order_id/cancel', 'Cancel an order', cancelOrder],
    ['/:order_id/extend-authorization-time', 'Extend the authorization time', extendAuthorizationTime(config.profile)],
    ['/:order_id/release-remaining-authorization', 'Release the remaining authorization', releaseRemainingAuthorization],
  ];
  for (const [url, summary, command] of bodiless) {
    app.post(url, { schema: { tags, summary, params: OrderIdParams, headers: IdempotencyHeaders, response: noContent } }, (request, reply) =>
      replyWithCommand(store, request, reply, command),
    );
  }

  app.post(
    '/:order_id/shipping-info',
    { schema: { tags, summary: 'Add shipping information', params: OrderIdParams, headers: IdempotencyHeaders, body: ShippingInfoBody, response: noContent } },
    (request, reply) => replyWithCommand(store, request, reply, addOrderShippingInfo(request.body)),
  );

  app.patch(
    '/:order_id/merchant-references',
    { schema: { tags, summary: 'Update merchant references', params: OrderIdParams, headers: IdempotencyHeaders, body: MerchantReferencesBody, response: noContent } },
    (request, reply) => replyWithCommand(store, request, reply, updateMerchantReferences(request.body)),
  );

  app.patch(
    '/:order_id/customer-details',
    { schema: { tags, summary: 'Update customer addresses', params: OrderIdParams, headers: IdempotencyHeaders, body: CustomerDetailsBody, response: noContent } },
    (request, reply) => replyWithCommand(store, request, reply, updateCustomerDetails(request.body)),
  );

  app.patch(
    '/:order_id/authorization',
    {
      schema: {
        tags,
        summary: 'Update the order amount and order lines',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        body: UpdateAuthorizationBody,
        response: { ...noContent, 400: ErrorBody },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, updateAuthorization(request.body)),
  );
};
