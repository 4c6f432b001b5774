// POST /sandbox/v1/customer-tokens/{customerToken}/status: suspend a token as Klarna does when its
// customer stops paying, or make it active again (CONTRACT §12), so a merchant can test both.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutesOptions } from '../http/routes/options.js';
import { IdempotencyHeaders } from '../http/schemas/common.js';
import { noBody, refused } from '../http/schemas/responses.js';
import { setSandboxTokenStatus } from '../store/customerTokens.js';
import { replyWithTokenCommand } from './reply.js';
import { SandboxTokenStatusBody, TokenParams } from './schemas.js';

export const sandboxTokenRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/customer-tokens/:customerToken/status',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'setSandboxCustomerTokenStatus',
        summary: 'Suspend a customer token, or make it active again',
        params: TokenParams,
        headers: IdempotencyHeaders,
        body: SandboxTokenStatusBody,
        response: { 204: noBody('Done'), 403: refused('NOT_ALLOWED', 'a cancelled token stays cancelled') },
      },
    },
    (request, reply) => replyWithTokenCommand(request, reply, (ctx) => setSandboxTokenStatus(store, ctx, request.params.customerToken, request.body.status)),
  );
};
