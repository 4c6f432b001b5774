// /customer-token/v1/tokens: Klarna's Customer Token API (CONTRACT §12), in both modes. A merchant
// reads a token its recurring checkout made, charges it with new orders, and cancels it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tokenProblems } from '../domain/customerTokens.js';
import { sendJson } from '../http/commandReply.js';
import { ApiError } from '../http/errors.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { IdempotencyHeaders } from '../http/schemas/common.js';
import { noBody, refused } from '../http/schemas/responses.js';
import { cancelToken, placeTokenOrder, readToken } from '../store/customerTokens.js';
import { replyWithTokenCommand } from './reply.js';
import { CustomerToken, TokenCancelBody, TokenOrderBody, TokenOrderResponse, TokenParams } from './schemas.js';

const tags = ['Customer tokens'];

export const customerTokenRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.get(
    '/tokens/:customerToken',
    { schema: { tags, operationId: 'readCustomerToken', summary: 'Read a customer token: its status and payment method', params: TokenParams, response: { 200: { ...CustomerToken, description: 'The token' } } } },
    async (request, reply) => {
      const token = await readToken(store, request.merchantId, request.params.customerToken);
      // Unknown, malformed and another merchant's tokens are all "Invalid customer-token ID", as Klarna's.
      if (!token) throw ApiError.of(tokenProblems.invalidToken());
      return sendJson(reply, JSON.stringify({ status: token.status, payment_method_type: token.payment_method_type }));
    },
  );

  app.post(
    '/tokens/:customerToken/order',
    {
      schema: {
        tags,
        operationId: 'createCustomerTokenOrder',
        summary: "Place an order paid with the token: an Order Management order for the token's customer (captured at once with auto_capture)",
        params: TokenParams,
        headers: IdempotencyHeaders,
        body: TokenOrderBody,
        response: {
          200: { ...TokenOrderResponse, description: 'The order placed' },
          403: refused('TOKEN_SUSPENDED', 'the token is suspended (PAYMENT_METHOD_FAILED when a sandbox fault declines it)'),
          404: refused('TOKEN_NOT_FOUND', 'no such token for this merchant, or it is cancelled'),
        },
      },
    },
    async (request, reply) => replyWithTokenCommand(request, reply, (ctx) => placeTokenOrder(store, ctx, request.params.customerToken, request.body)),
  );

  app.patch(
    '/tokens/:customerToken/status',
    {
      schema: {
        tags,
        operationId: 'cancelCustomerToken',
        summary: 'Cancel a customer token; final (cancelling it again changes nothing)',
        params: TokenParams,
        headers: IdempotencyHeaders,
        body: TokenCancelBody,
        response: { 202: noBody('Cancelled') },
      },
    },
    (request, reply) => replyWithTokenCommand(request, reply, (ctx) => cancelToken(store, ctx, request.params.customerToken), 202),
  );
};
