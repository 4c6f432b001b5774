// GET /sandbox/v1/events: the merchant's order events as they are written, for `openom listen`.
// GET /sandbox/v1/calls: every call OpenOM made to the merchant's server (CONTRACT §15): pushes,
// fraud notifications, the checkout's validation callback, webhook deliveries, HPP status updates
// and Klarna Payments' authorization callbacks, with what was
// sent and the first 4 KB of what came back.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MERCHANT_CALL_KINDS } from '../../../domain/merchantCalls.js';
import { WEBHOOK_EVENT_OF } from '../../../domain/webhookEvents.js';
import { eventsAfter, listCalls, newestEventId, type MerchantCallRow } from '../../../store/merchantCalls.js';
import { component } from '../../schemas/components.js';
import type { RoutesOptions } from '../options.js';

const KINDS = MERCHANT_CALL_KINDS;
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

const EventsQuery = Type.Object({
  after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'Only events after this event_id' })),
  limit: CallsQuery.properties.limit,
});

const OrderEventFeed = component(
  'OrderEventFeed',
  Type.Object({
    events: Type.Array(
      Type.Object({
        event_id: Type.Integer(),
        order_id: Type.String(),
        type: Type.String({ description: 'The order event (CAPTURE_CREATED, ORDER_EXPIRED, …)' }),
        webhook_event: Type.Union([Type.String(), Type.Null()], { description: 'The webhook event it fires, if any' }),
        occurred_at: Type.String({ format: 'date-time' }),
      }),
    ),
    newest_event_id: Type.Integer({ description: 'Ask again with after= this to get what follows' }),
  }),
);

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

  app.get(
    '/events',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'listOrderEvents',
        summary: "The merchant's order events after an event id, oldest first (without `after`: none, and the newest id to follow from)",
        querystring: EventsQuery,
        response: { 200: { description: 'The events', ...OrderEventFeed } },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      if (after === undefined) return { events: [], newest_event_id: await newestEventId(store, request.merchantId) };
      const rows = await eventsAfter(store, request.merchantId, Number(after), limit === undefined ? DEFAULT_LIMIT : Number(limit));
      return {
        events: rows.map((e) => ({ event_id: Number(e.id), order_id: e.order_id, type: e.type, webhook_event: WEBHOOK_EVENT_OF[e.type] ?? null, occurred_at: e.occurred_at })),
        newest_event_id: rows.length > 0 ? Number(rows.at(-1)!.id) : Number(after),
      };
    },
  );
};
