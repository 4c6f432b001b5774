// POST /sandbox/v1/payments/sessions/{session_id}/authorize: the shopper's authorization without a
// browser (CONTRACT §14), for a merchant's automated tests; the same as the hosted test page's
// buttons and the drop-in api.js.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendJson } from '../http/commandReply.js';
import { ApiError } from '../http/errors.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { ErrorBody } from '../http/schemas/common.js';
import { authorizePaymentSession } from '../store/payments.js';
import { AuthorizeBody, AuthorizeResult, SessionIdParams } from './schemas.js';

export const paymentSandboxRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/sessions/:session_id/authorize',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'authorizePaymentSession',
        summary: 'Authorize a payment session as a shopper would: accepted, pending or declined',
        params: SessionIdParams,
        body: AuthorizeBody,
        response: {
          200: { ...AuthorizeResult, description: 'approved with an authorization_token, or {"approved": false} (declined: no token, the session stays open)' },
          404: { ...ErrorBody, description: 'NOT_FOUND: unknown or expired session; SESSION_COMPLETED: an order was created from it' },
        },
      },
    },
    async (request, reply) => {
      const result = await authorizePaymentSession(store, { sessionId: request.params.session_id, merchantId: request.merchantId, outcome: request.body.outcome });
      if (!result.ok) throw ApiError.of({ code: result.code, message: result.message });
      const answer = result.value;
      return sendJson(reply, JSON.stringify(answer.approved ? { approved: true, authorization_token: answer.authorization_token } : { approved: false }));
    },
  );
};
