// /sandbox/v1/faults: faults on demand (CONTRACT §5). A merchant makes its own next matching Order
// Management or Checkout requests fail or slow down, to test its error handling; src/http/faults.ts
// applies them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { API_ERROR_CODES, problems, type ErrorCode } from '../../../domain/errorCodes.js';
import { FAULT_LIMITS, decideFault } from '../../../domain/faults.js';
import { toKlarnaTimestamp } from '../../../domain/time.js';
import { createFault, deleteFault, listFaults, type Fault } from '../../../store/faults.js';
import { ApiError } from '../../errors.js';
import { Uuid } from '../../schemas/common.js';
import { component } from '../../schemas/components.js';
import { noBody, refused } from '../../schemas/responses.js';
import type { RoutesOptions } from '../options.js';

const tags = ['Sandbox'];

/** A delay must end well before the connection's idle timeout (OPENOM_REQUEST_TIMEOUT_MS) closes it. */
const IDLE_TIMEOUT_MARGIN_MS = 10_000;

const ErrorCodeName = Type.Unsafe<ErrorCode>({ type: 'string', enum: API_ERROR_CODES });

const FaultBody = component(
  'FaultRequest',
  Type.Object(
    {
      method: Type.String({ pattern: '^[A-Za-z]{1,16}$', description: 'HTTP method of the requests to fault, in any case' }),
      path: Type.String({
        minLength: 1,
        maxLength: FAULT_LIMITS.maxPathLength,
        description: 'Request path under /ordermanagement/ or /checkout/; `*` matches exactly one path segment',
        examples: ['/ordermanagement/v1/orders/*/captures'],
      }),
      status: Type.Union([Type.Literal(0), Type.Integer({ minimum: 400, maximum: 599 })], {
        description: 'HTTP status to answer with; 0 answers normally, only after delay_ms',
      }),
      error_code: Type.Optional({ ...ErrorCodeName, description: 'Defaults by status, e.g. SERVICE_UNAVAILABLE (with Retry-After) for 503' }),
      delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: FAULT_LIMITS.maxDelayMs, description: 'Wait this long before answering' })),
      times: Type.Optional(Type.Integer({ minimum: 1, maximum: FAULT_LIMITS.maxTimes, description: 'How many requests to fault (default 1)' })),
    },
    { additionalProperties: false },
  ),
);

const FaultResponse = component(
  'Fault',
  Type.Object({
    fault_id: Type.String(),
    method: Type.String(),
    path: Type.String(),
    status: Type.Integer(),
    error_code: Type.Union([Type.String(), Type.Null()], { description: 'null when status is 0' }),
    delay_ms: Type.Integer(),
    times_left: Type.Integer({ description: 'Requests still to be faulted' }),
    created_at: Type.String({ format: 'date-time', description: "Merchant's clock" }),
  }),
);
const FaultList = component('FaultList', Type.Object({ faults: Type.Array(FaultResponse) }));

const render = (fault: Fault) => ({ ...fault, created_at: toKlarnaTimestamp(new Date(fault.created_at)) });

export const faultRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  const maxDelayMs = Math.max(0, Math.min(FAULT_LIMITS.maxDelayMs, config.requestTimeoutMs - IDLE_TIMEOUT_MARGIN_MS));

  app.post(
    '/faults',
    {
      schema: {
        tags,
        operationId: 'createFault',
        summary: "Fault the merchant's next matching Order Management or Checkout requests",
        body: FaultBody,
        response: {
          201: { ...FaultResponse, description: 'The fault, active from now on' },
          403: refused('NOT_ALLOWED', 'the merchant has the most active faults allowed already'),
        },
      },
    },
    async (request, reply) => {
      const spec = decideFault(request.body, maxDelayMs);
      if (!spec.ok) throw ApiError.of(spec);
      const created = await createFault(store, request.merchantId, spec.value);
      if (!created.ok) throw ApiError.of(created);
      return reply.code(201).send(render(created.value));
    },
  );

  app.get(
    '/faults',
    {
      schema: {
        tags,
        operationId: 'listFaults',
        summary: "List the merchant's active faults, in the order they apply",
        response: { 200: { ...FaultList, description: 'The active faults, oldest first' } },
      },
    },
    async (request) => ({ faults: (await listFaults(store, request.merchantId)).map(render) }),
  );

  app.delete(
    '/faults/:fault_id',
    {
      schema: {
        tags,
        operationId: 'deleteFault',
        summary: 'Delete an active fault',
        params: Type.Object({ fault_id: Uuid('Fault id') }),
        response: { 204: noBody('Deleted') },
      },
    },
    async (request, reply) => {
      if (!(await deleteFault(store, request.merchantId, request.params.fault_id))) throw ApiError.of(problems.notFound(`Fault ${request.params.fault_id}`));
      return reply.code(204).send();
    },
  );
};
