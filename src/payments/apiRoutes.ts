// /payments/v1: Klarna Payments API v1 (CONTRACT §14), klarna profile and sandbox mode only
// (app.ts). The merchant creates a payment session and updates its cart while the shopper decides;
// the shopper authorizes it (sandboxRoutes.ts, pageRoutes.ts); the merchant turns the
// authorization token into an Order Management order, or cancels it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PaymentRefusal } from '../domain/payments.js';
import { sendJson } from '../http/commandReply.js';
import { ApiError } from '../http/errors.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { ErrorBody } from '../http/schemas/common.js';
import { done } from '../http/schemas/responses.js';
import { runOrderCommand } from '../store/commandRunner.js';
import { autoCapture, cancelAuthorization, createPaymentSession, placeOrderFromToken, readPaymentSession, updatePaymentSession } from '../store/payments.js';
import { sessionCreatedJson, sessionJson } from './document.js';
import { correlationIdOfAnswer, renderOrderAnswer } from './orderAnswer.js';
import {
  AuthorizationTokenParams,
  PaymentOrder,
  PaymentOrderBody,
  PaymentSession,
  PaymentSessionBody,
  PaymentSessionCreated,
  PaymentSessionUpdateBody,
  SessionIdParams,
} from './schemas.js';

const tags = ['Klarna Payments'];
const problemOf = (refusal: PaymentRefusal) => ApiError.of({ code: refusal.code, message: refusal.message });

export const paymentSessionRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.post(
    '/sessions',
    {
      schema: {
        tags,
        operationId: 'createPaymentSession',
        summary: "Create a payment session; start the shopper's Klarna JavaScript (or the drop-in api.js) with its client_token",
        body: PaymentSessionBody,
        response: { 200: { ...PaymentSessionCreated, description: 'The session id, client token and payment method categories' } },
      },
    },
    async (request, reply) => {
      const created = await createPaymentSession(store, request.merchantId, request.body);
      if (!created.ok) throw problemOf(created);
      return sendJson(reply, sessionCreatedJson(created.value, config.publicUrl));
    },
  );

  app.get(
    '/sessions/:session_id',
    {
      schema: {
        tags,
        operationId: 'getPaymentSession',
        summary: 'Read a payment session: its cart, status, expires_at and, once authorized, authorization_token',
        params: SessionIdParams,
        response: { 200: { ...PaymentSession, description: 'The payment session' } },
      },
    },
    async (request, reply) => {
      const reading = await readPaymentSession(store, request.params.session_id, request.merchantId);
      if (!reading || reading.phase === 'expired') throw ApiError.of({ code: 'NOT_FOUND', message: `Payment session ${request.params.session_id} cannot be found (unknown or expired).` });
      return sendJson(reply, sessionJson(reading.session, config.publicUrl));
    },
  );

  app.post(
    '/sessions/:session_id',
    {
      schema: {
        tags,
        operationId: 'updatePaymentSession',
        summary: 'Update the cart of a payment session; fields sent replace the stored ones',
        params: SessionIdParams,
        body: PaymentSessionUpdateBody,
        response: { 204: done, 404: { ...ErrorBody, description: 'NOT_FOUND: unknown or expired session; SESSION_COMPLETED: an order was created from it' } },
      },
    },
    async (request, reply) => {
      const updated = await updatePaymentSession(store, request.merchantId, request.params.session_id, request.body);
      if (!updated.ok) throw problemOf(updated);
      return reply.code(204).send();
    },
  );

};

export const authorizationRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.post(
    '/authorizations/:authorization_token/order',
    {
      schema: {
        tags,
        operationId: 'createOrderFromAuthorization',
        summary: 'Create the Order Management order from an authorization token; idempotent per token',
        params: AuthorizationTokenParams,
        body: PaymentOrderBody,
        response: {
          200: { ...PaymentOrder, description: 'The order; every later request with the token gets this answer again' },
          404: { ...ErrorBody, description: 'NOT_FOUND: unknown, expired or cancelled authorization token' },
          409: { ...ErrorBody, description: 'BAD_VALUE: the cart differs from the authorized one (kept: every later request with the token gets it again)' },
        },
      },
    },
    async (request, reply) => {
      const { auto_capture, ...cart } = request.body;
      const result = await placeOrderFromToken(store, {
        merchantId: request.merchantId,
        token: request.params.authorization_token,
        cart,
        correlationId: request.id,
        pushDelaySeconds: config.pushDelaySeconds,
        autoCapture: auto_capture === true,
        render: (source) => renderOrderAnswer(request.id, config.publicUrl, source),
      });
      if ('ok' in result) throw problemOf(result);
      if (result.created?.auto_capture) {
        // At once, so the order the merchant reads next is captured; the job written with the order is the backstop.
        const { outcome } = await runOrderCommand(store, { merchantId: request.merchantId, correlationId: request.id }, result.created.order_id, autoCapture);
        if (outcome.kind === 'refused') request.log.warn({ order_id: result.created.order_id, problem: outcome.problem }, 'auto_capture refused');
      }
      const { answer } = result;
      const correlationId = correlationIdOfAnswer(answer);
      if (correlationId !== undefined) {
        reply.header('klarna-correlation-id', correlationId);
        request.errorCode = (JSON.parse(answer.body) as { error_code: string }).error_code;
      }
      return sendJson(reply, answer.body, answer.status);
    },
  );

  app.delete(
    '/authorizations/:authorization_token',
    {
      schema: {
        tags,
        operationId: 'cancelAuthorization',
        summary: 'Cancel an authorization: its token can no longer make an order',
        params: AuthorizationTokenParams,
        response: { 204: done, 404: { ...ErrorBody, description: 'NOT_FOUND: unknown, expired, cancelled or already used authorization token' } },
      },
    },
    async (request, reply) => {
      const cancelled = await cancelAuthorization(store, request.merchantId, request.params.authorization_token);
      if (!cancelled.ok) throw problemOf(cancelled);
      return reply.code(204).send();
    },
  );
};
