// POST /sandbox/v1/checkout/{order_id}/complete: the shopper's purchase without a browser
// (CONTRACT §6), for a merchant's automated tests. Same rules and same validation callback as the
// hosted test checkout; answers with the checkout order as it now is.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendJson } from '../http/commandReply.js';
import { ApiError } from '../http/errors.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { CheckoutOrderResponse, CompletionBody } from '../http/schemas/checkout.js';
import { OrderIdParams } from '../http/schemas/common.js';
import { refused } from '../http/schemas/responses.js';
import { checkoutOrderJson } from './document.js';
import { attemptPurchase } from './purchase.js';

export const checkoutCompletionRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.post(
    '/checkout/:order_id/complete',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'completeCheckoutPurchase',
        summary: 'Complete a checkout order as a shopper would: accepted, pending_accepted, pending_rejected or denied',
        params: OrderIdParams,
        body: CompletionBody,
        response: {
          200: { ...CheckoutOrderResponse, description: 'The checkout order as it now is: checkout_complete, or still checkout_incomplete when the purchase was denied' },
          403: refused('READ_ONLY_ORDER', 'the checkout order is completed, aborted or expired'),
        },
      },
    },
    async (request, reply) => {
      const attempt = await attemptPurchase(
        { store, config, log: request.log },
        { orderId: request.params.order_id, merchantId: request.merchantId, ...request.body, correlationId: request.id },
      );
      // A declined purchase is an answer, not an error: the order is returned still checkout_incomplete.
      if (attempt.kind === 'refused') throw ApiError.of(attempt.problem);
      return sendJson(reply, checkoutOrderJson(attempt.checkout, config.publicUrl));
    },
  );
};
