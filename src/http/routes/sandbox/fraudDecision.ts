// /sandbox/v1/orders/{order_id}/fraud-decision: end a pending fraud review as Klarna's would
// (CONTRACT §5). Runs through the command path, so idempotency keys work as on the OM API.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FRAUD_DECISIONS } from '../../../domain/decisions.js';
import { applyFraudDecision } from '../../../store/orderCommands.js';
import { replyWithCommand } from '../../commandReply.js';
import { IdempotencyHeaders, OrderIdParams } from '../../schemas/common.js';
import { component } from '../../schemas/components.js';
import { noBody, refused } from '../../schemas/responses.js';
import type { RoutesOptions } from '../options.js';

const FraudDecisionBody = component(
  'FraudDecision',
  Type.Object(
    {
      decision: Type.Union(FRAUD_DECISIONS.map((d) => Type.Literal(d)), {
        description: 'ACCEPTED allows captures; REJECTED and STOPPED set fraud_status REJECTED and cancel the order',
      }),
    },
    { additionalProperties: false },
  ),
);

export const fraudDecisionRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.post(
    '/orders/:order_id/fraud-decision',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'decideFraudReview',
        summary: 'Decide the pending fraud review of an order',
        params: OrderIdParams,
        headers: IdempotencyHeaders,
        body: FraudDecisionBody,
        response: { 204: noBody('Decided'), 403: refused('NOT_ALLOWED', "the order's fraud_status is not PENDING") },
      },
    },
    (request, reply) => replyWithCommand(store, request, reply, applyFraudDecision(request.body.decision)),
  );
};
