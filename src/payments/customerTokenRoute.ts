// POST /payments/v1/authorizations/{token}/customer-token (CONTRACT §14): the customer token of §12
// an authorization with intent tokenize or buy_and_tokenize gives; the merchant then charges it with
// the Customer Token API (/customer-token/v1). Idempotent per authorization: a repeat gets the same token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendJson } from '../http/commandReply.js';
import { ApiError } from '../http/errors.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { ErrorBody } from '../http/schemas/common.js';
import { createCustomerTokenFromAuthorization } from '../store/authorizationCustomerToken.js';
import { hostedPaymentUrl } from './document.js';
import { AuthorizationTokenParams, PaymentCustomerToken, PaymentCustomerTokenBody } from './schemas.js';

export const authorizationCustomerTokenRoute: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.post(
    '/authorizations/:authorization_token/customer-token',
    {
      schema: {
        tags: ['Klarna Payments'],
        operationId: 'createCustomerTokenFromAuthorization',
        summary: 'Create a customer token (Customer Token API) from an authorization whose session has intent tokenize or buy_and_tokenize',
        params: AuthorizationTokenParams,
        body: PaymentCustomerTokenBody,
        response: {
          200: { ...PaymentCustomerToken, description: 'The customer token, ACTIVE; every later request with the authorization token gets the same one' },
          403: { ...ErrorBody, description: 'NOT_ALLOWED: the session was created with intent buy' },
          404: { ...ErrorBody, description: 'NOT_FOUND: unknown, expired or cancelled authorization token (or spent on an order, unless intent buy_and_tokenize)' },
        },
      },
    },
    async (request, reply) => {
      const { intended_use: _always_subscription, ...wanted } = request.body;
      const made = await createCustomerTokenFromAuthorization(store, request.merchantId, request.params.authorization_token, wanted);
      if (!made.ok) throw ApiError.of({ code: made.code, message: made.message });
      return sendJson(reply, JSON.stringify({ token_id: made.value.token_id, redirect_url: hostedPaymentUrl(config.publicUrl, made.value.session_id) }));
    },
  );
};
