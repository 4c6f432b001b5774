// /checkout/v3/orders: Klarna's Checkout API v3 (CONTRACT §6), sandbox mode only. The merchant
// creates the checkout order, embeds its html_snippet, updates or aborts it while the shopper
// decides; the purchase itself happens on the hosted test checkout (pageRoutes.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problems } from '../domain/errorCodes.js';
import { countCommand, idempotencyKeyOf, keyBindingOf, renderOutcome, sendJson, sendResult } from '../http/commandReply.js';
import { ApiError } from '../http/errors.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { CheckoutOrderBody, CheckoutOrderResponse, CheckoutOrderUpdateBody } from '../http/schemas/checkout.js';
import { IdempotencyHeaders, OrderIdParams } from '../http/schemas/common.js';
import { refused } from '../http/schemas/responses.js';
import { abortCheckout, createCheckout, readCheckout, updateCheckout, type CheckoutContext, type CheckoutOutcome } from '../store/checkoutOrders.js';
import type { CommandResult, StoredResponse } from '../store/outcome.js';
import { CHECKOUT_ORDERS_PATH, checkoutOrderJson } from './document.js';
import { absoluteUrl } from '../http/origin.js';

const tags = ['Checkout'];
const readOnly = (why: string) => refused('READ_ONLY_ORDER', why);

/** Renders a checkout command's outcome exactly as it is stored for idempotent replay. */
function renderCheckout(request: FastifyRequest, publicUrl: string, outcome: CheckoutOutcome): StoredResponse {
  if (outcome.kind === 'refused') return renderOutcome(request, outcome);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (outcome.created) headers.location = absoluteUrl(request, `${CHECKOUT_ORDERS_PATH}/${outcome.checkout.order_id}`);
  return { status: outcome.created ? 201 : 200, headers, body: checkoutOrderJson(outcome.checkout, publicUrl) };
}

export const checkoutRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  /** Runs a checkout command for the merchant's request, counts it in the metrics and sends its (possibly replayed) response. */
  async function reply(
    request: FastifyRequest,
    to: FastifyReply,
    command: (ctx: CheckoutContext) => Promise<CommandResult<CheckoutOutcome>>,
  ): Promise<FastifyReply> {
    const render = (outcome: CheckoutOutcome) => renderCheckout(request, config.publicUrl, outcome);
    const result = await command({ merchantId: request.merchantId, idempotency: keyBindingOf(request, idempotencyKeyOf(request), render) });
    countCommand(request, result);
    return sendResult(to, result, render);
  }

  app.post(
    '/orders',
    {
      schema: {
        tags,
        operationId: 'createCheckoutOrder',
        summary: 'Create a checkout order; embed its html_snippet in the checkout page',
        headers: IdempotencyHeaders,
        body: CheckoutOrderBody,
        response: {
          201: {
            ...CheckoutOrderResponse,
            description: 'The checkout order; Location names it',
            headers: { Location: Type.String({ format: 'uri', description: 'Absolute URL of the new checkout order: https://<host>/checkout/v3/orders/{order_id}' }) },
          },
        },
      },
    },
    async (request, to) => reply(request, to, (ctx) => createCheckout(store, ctx, request.body)),
  );

  app.get(
    '/orders/:order_id',
    { schema: { tags, operationId: 'getCheckoutOrder', summary: 'Read a checkout order', params: OrderIdParams, response: { 200: { ...CheckoutOrderResponse, description: 'The checkout order' } } } },
    async (request, reply) => {
      const reading = await readCheckout(store, request.params.order_id, request.merchantId);
      if (!reading) throw ApiError.of(problems.noSuchOrder(request.params.order_id));
      return sendJson(reply, checkoutOrderJson(reading.checkout, config.publicUrl));
    },
  );

  app.post(
    '/orders/:order_id',
    {
      schema: {
        tags,
        operationId: 'updateCheckoutOrder',
        summary: 'Update a checkout order while it is checkout_incomplete; fields sent replace the stored ones',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        body: CheckoutOrderUpdateBody,
        response: { 200: { ...CheckoutOrderResponse, description: 'The updated checkout order' }, 403: readOnly('the checkout order is completed, aborted or expired') },
      },
    },
    async (request, to) => reply(request, to, (ctx) => updateCheckout(store, ctx, request.params.order_id, request.body)),
  );

  app.post(
    '/orders/:order_id/abort',
    {
      schema: {
        tags,
        operationId: 'abortCheckoutOrder',
        summary: 'Abort a checkout order: it can no longer be completed',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        response: { 200: { ...CheckoutOrderResponse, description: 'The aborted checkout order (status stays checkout_incomplete)' }, 403: readOnly('a completed checkout order cannot be aborted') },
      },
    },
    async (request, to) => reply(request, to, (ctx) => abortCheckout(store, ctx, request.params.order_id)),
  );
};
