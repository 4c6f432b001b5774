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
} from '../../store/orderCommands.js';
import type { OrderCommand } from '../../store/orderTx.js';
import { problems } from '../../domain/errorCodes.js';
import { ApiError } from '../errors.js';
import { replyWithCommand, sendJson } from '../commandReply.js';
import { IdempotencyHeaders, OrderIdParams } from '../schemas/common.js';
import {
  CustomerDetailsBody,
  MerchantReferencesBody,
  OrderResponse,
  ShippingInfoBody,
  UpdateAuthorizationBody,
} from '../schemas/orders.js';
import { done, refused } from '../schemas/responses.js';
import type { RoutesOptions } from './options.js';

const tags = ['Orders'];
const notAllowed = { 204: done, 403: refused('NOT_ALLOWED') };

export const orderRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.get(
    '/:order_id',
    {
      schema: {
        tags,
        operationId: 'getOrder',
        summary: 'Get order details',
        params: OrderIdParams,
        response: { 200: { ...OrderResponse, description: 'The order, with its captures and refunds' } },
      },
    },
    async (request, reply) => {
      const order = await readOrderJson(store, request.merchantId, request.params.order_id, { mayLag: true });
      if (order === undefined) throw ApiError.of(problems.noSuchOrder(request.params.order_id));
      return sendJson(reply, order);
    },
  );

  // Operations that take no body: any body a client sends along is ignored.
  const bodiless: [string, string, string, OrderCommand, object][] = [
    ['/:order_id/acknowledge', 'acknowledgeOrder', 'Acknowledge an order', acknowledgeOrder, { 204: done }],
    ['/:order_id/cancel', 'cancelOrder', 'Cancel an order', cancelOrder, { 204: done, 403: refused('CANCEL_NOT_ALLOWED') }],
    ['/:order_id/extend-authorization-time', 'extendAuthorizationTime', 'Extend the authorization time', extendAuthorizationTime(config.profile), notAllowed],
    ['/:order_id/release-remaining-authorization', 'releaseRemainingAuthorization', 'Release the remaining authorization', releaseRemainingAuthorization, notAllowed],
  ];
  for (const [url, operationId, summary, command, response] of bodiless) {
    app.post(url, { schema: { tags, operationId, summary, params: OrderIdParams, headers: IdempotencyHeaders, response } }, (request, reply) =>
      replyWithCommand(store, request, reply, command),
    );
  }

  app.post(
    '/:order_id/shipping-info',
    { schema: { tags, operationId: 'addShippingInfo', summary: 'Add shipping information', params: OrderIdParams, headers: IdempotencyHeaders, body: ShippingInfoBody, response: notAllowed } },
    (request, reply) => replyWithCommand(store, request, reply, addOrderShippingInfo(request.body)),
  );

  app.patch(
    '/:order_id/merchant-references',
    {
      schema: { tags, operationId: 'updateMerchantReferences', summary: 'Update merchant references', params: OrderIdParams, headers: IdempotencyHeaders, body: MerchantReferencesBody, response: notAllowed },
    },
    (request, reply) => replyWithCommand(store, request, reply, updateMerchantReferences(request.body)),
  );

  app.patch(
    '/:order_id/customer-details',
    {
      schema: { tags, operationId: 'updateCustomerDetails', summary: 'Update customer addresses', params: OrderIdParams, headers: IdempotencyHeaders, body: CustomerDetailsBody, response: notAllowed },
    },
    (request, reply) => replyWithCommand(store, request, reply, updateCustomerDetails(request.body)),
  );

  app.patch(
    '/:order_id/authorization',
    {
      schema: {
        tags,
        operationId: 'updateAuthorization',
        summary: 'Update the order amount and order lines',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        body: UpdateAuthorizationBody,
        response: notAllowed,
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, updateAuthorization(request.body)),
  );
};
