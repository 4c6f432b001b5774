// Runs a store command for a merchant request and sends its (possibly replayed) response.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusOfErrorCode } from '../domain/errorCodes.js';
import { runOrderCommand } from '../store/commandRunner.js';
import type { OrderCommand } from '../store/orderTx.js';
import type { KeyBinding } from '../store/idempotency.js';
import { isRefused, type CommandResult, type Outcome, type StoredResponse } from '../store/outcome.js';
import type { Store } from '../store/dialect.js';
import { badValue, errorBody } from './errors.js';
import { routeLabel } from './metrics.js';
import { absoluteUrl } from './origin.js';

const ORDERS_PATH = '/ordermanagement/v1/orders';

/**
 * Renders an outcome for the request exactly as it will be stored for idempotent replay. A replay
 * repeats it byte for byte (CONTRACT §2), so its Location names the host the first request was sent to.
 */
export function renderOutcome(request: FastifyRequest, outcome: Outcome): StoredResponse {
  const correlationId = request.id;
  switch (outcome.kind) {
    case 'created':
      return {
        status: 201,
        headers: {
          location: absoluteUrl(request, `${ORDERS_PATH}/${outcome.orderId}/${outcome.resource}/${outcome.id}`),
          [outcome.resource === 'captures' ? 'capture-id' : 'refund-id']: outcome.id,
        },
        body: '',
      };
    case 'no_content':
      return { status: 204, headers: {}, body: '' };
    case 'refused':
      return {
        status: statusOfErrorCode(outcome.problem.code),
        // The error body names this request's correlation id; a replay repeats the body byte for byte,
        // so it repeats the header too, keeping the two equal (CONTRACT §2).
        headers: { 'content-type': 'application/json; charset=utf-8', 'klarna-correlation-id': correlationId },
        body: errorBody(correlationId, outcome.problem.code, [outcome.problem.message]),
      };
  }
}

/** Sends JSON text the store rendered (see src/store/orderDocuments.ts) as it is. */
export function sendJson(reply: FastifyReply, json: string, status = 200): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(json);
}

/**
 * A refusal as the runner answered it, for the request log and the portal: decided now, or read
 * back from the Klarna error body an earlier request with the key stored (renderOutcome wrote it).
 */
export function refusalOf(result: CommandResult<{ kind: string }>): { code: string; message: string; status: number } | undefined {
  if (!result.replayed) {
    const { outcome } = result;
    return isRefused(outcome) ? { ...outcome.problem, status: statusOfErrorCode(outcome.problem.code) } : undefined;
  }
  const { status, body } = result.response;
  if (status < 400) return undefined;
  const stored = JSON.parse(body) as { error_code?: string; error_messages?: string[] };
  return { code: stored.error_code ?? '', message: (stored.error_messages ?? []).join(' '), status };
}

/** Sends a command's response: as stored under its key, or the outcome rendered (as it would have been stored). */
export function sendResult<O extends { kind: string }>(reply: FastifyReply, result: CommandResult<O>, render: (outcome: O) => StoredResponse): FastifyReply {
  const response = result.replayed ? result.response : (result.response ?? render(result.outcome));
  const refusal = refusalOf(result);
  if (refusal) reply.request.errorCode = refusal.code;
  reply.code(response.status).headers(response.headers);
  return response.body === '' ? reply.send() : reply.send(response.body);
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['klarna-idempotency-key'];
  if (key === undefined || key === '') return undefined;
  if (typeof key !== 'string' || key.length > 255) {
    throw badValue('Bad value: Klarna-Idempotency-Key (at most 255 characters)');
  }
  return key;
}

/** An idempotency key bound to the request it came with (CONTRACT §2: its method and path); none without a key. */
export function keyBindingOf<O>(request: FastifyRequest, key: string | undefined, render: (outcome: O) => StoredResponse): KeyBinding<O> | undefined {
  return key === undefined ? undefined : { key, request: { method: request.method, path: request.url.split('?')[0] ?? request.url }, render };
}

/** Counts a command in the metrics under its route: replayed, refused (with the code) or applied. */
export function countCommand(request: FastifyRequest, result: CommandResult<{ kind: string }>): void {
  const operation = `${request.method} ${routeLabel(request)}`;
  if (result.replayed) request.server.metrics.command(operation, 'replayed');
  else if (isRefused(result.outcome)) request.server.metrics.command(operation, 'refused', result.outcome.problem.code);
  else request.server.metrics.command(operation, 'applied');
}

/**
 * The request's own deadline: its command may wait for its turn on the order and for a connection
 * until OPENOM_REQUEST_TIMEOUT_MS after it reaches the store (then 503, not applied).
 */
function deadlineOf(request: FastifyRequest): number | undefined {
  const budget = (request.server.initialConfig as { requestTimeout?: number }).requestTimeout;
  return budget ? Date.now() + budget : undefined;
}

/**
 * Runs a command for a request, the API's or the portal's: the idempotency key is bound to the
 * request's method and path, and the outcome is counted in the metrics under the route. Only the
 * portal expects a version (its confirmations are bound to the order as shown); the API never does.
 */
export async function runCommandForRequest(
  store: Store,
  request: FastifyRequest,
  target: { merchantId: string; orderId: string; idempotencyKey: string | undefined; expectedVersion?: number },
  command: OrderCommand,
): Promise<CommandResult<Outcome>> {
  const correlationId = request.id;
  const result = await runOrderCommand(
    store,
    {
      merchantId: target.merchantId,
      correlationId,
      idempotency: keyBindingOf(request, target.idempotencyKey, (outcome: Outcome) => renderOutcome(request, outcome)),
      deadline: deadlineOf(request),
      expectedVersion: target.expectedVersion,
    },
    target.orderId,
    command,
  );
  countCommand(request, result);
  return result;
}

export async function replyWithCommand(
  store: Store,
  request: FastifyRequest & { params: { order_id: string } },
  reply: FastifyReply,
  command: OrderCommand,
): Promise<FastifyReply> {
  const target = { merchantId: request.merchantId, orderId: request.params.order_id, idempotencyKey: idempotencyKeyOf(request) };
  return sendResult(reply, await runCommandForRequest(store, request, target, command), (outcome) => renderOutcome(request, outcome));
}
