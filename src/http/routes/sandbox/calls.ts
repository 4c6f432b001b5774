// GET /sandbox/v1/calls: every call OpenOM made to the merchant's server (CONTRACT §15): pushes,
// fraud notifications, the checkout's validation callback and webhook deliveries, with what was
// sent and the first 4 KB of what came back.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { MerchantCallKind } from '../../../domain/merchantCalls.js';
import { listCalls, type MerchantCallRow } from '../../../store/merchantCalls.js';
import { component } from '../../schemas/components.js';
import type { RoutesOptions } from '../options.js';

const KINDS: MerchantCallKind[] = ['push', 'notification', 'validation', 'webhook'];
const DEFAULT_LIMIT = 100;

const MerchantCall = component(
  'MerchantCall',
  Type.Object({
    call_id: Type.Integer({ description: 'Grows with every call: the newest has the highest' }),
    kind: Type.Union(KINDS.map((k) => Type.Literal(k))),
    order_id: Type.Union([Type.String(), Type.Null()]),
    method: Type.String(),
    url: Type.String({ description: 'Without user or password; values of query parameters that look like secrets are "redacted"' }),
    request_body: Type.Union([Type.String(), Type.Null()]),
    response_status: Type.Integer({ description: '0 when there was no answer (refused, timed out)' }),
    response_body: Type.Union([Type.String(), Type.Null()], { description: 'The first 4096 characters' }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why there was no answer' }),
    duration_ms: Type.Integer(),
    called_at: Type.String({ format: 'date-time', description: "On the merchant's clock" }),
  }),
);

const CallsQuery = Type.Object({
  order_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only the calls about this order' })),
  kind: Type.Optional(Type.Union(KINDS.map((k) => Type.Literal(k)), { description: 'Only calls of this kind' })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'Only calls after this call_id, oldest first: to follow calls as they happen' })),
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$', description: `At most this many (1–1000, default ${DEFAULT_LIMIT})` })),
});

export function callJson(c: MerchantCallRow) {
  return {
    call_id: Number(c.id),
    kind: c.kind,
    order_id: c.order_id,
    method: c.method,
    url: c.url,
    request_body: c.request_body,
    response_status: c.status,
    response_body: c.response_body,
    error: c.error,
    duration_ms: c.duration_ms,
    called_at: c.called_at,
  };
}

export const callRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.get(
    '/calls',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'listMerchantCalls',
        summary: "Calls OpenOM made to the merchant's server, newest first",
        querystring: CallsQuery,
        response: { 200: { description: 'The calls', ...Type.Object({ calls: Type.Array(MerchantCall) }) } },
      },
    },
    async (request) => {
      const { order_id, kind, after, limit } = request.query;
      const calls = await listCalls(store, request.merchantId, {
        orderId: order_id,
        kind,
        afterId: after === undefined ? undefined : Number(after),
        limit: limit === undefined ? DEFAULT_LIMIT : Number(limit),
      });
      return { calls: calls.map(callJson) };
    },
  );
};
