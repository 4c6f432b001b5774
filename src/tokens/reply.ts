// Runs a customer token command for a merchant's request and sends its (possibly replayed)
// response, rendered exactly as it is stored under the request's idempotency key.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { countCommand, idempotencyKeyOf, keyBindingOf, renderOutcome, sendResult } from '../http/commandReply.js';
import type { TokenContext, TokenOutcome } from '../store/customerTokens.js';
import type { CommandResult, StoredResponse } from '../store/outcome.js';

/** How a change without a body answers: 202 for the API's cancellation (as Klarna's), 204 for the sandbox helper. */
export type ChangedStatus = 202 | 204;

export function renderToken(request: FastifyRequest, outcome: TokenOutcome, changed: ChangedStatus = 204): StoredResponse {
  switch (outcome.kind) {
    case 'refused':
      return renderOutcome(request, outcome);
    case 'token_changed':
      return { status: changed, headers: {}, body: '' };
    case 'token_order':
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ order_id: outcome.orderId, fraud_status: outcome.fraudStatus }),
      };
  }
}

export async function replyWithTokenCommand(
  request: FastifyRequest,
  reply: FastifyReply,
  command: (ctx: TokenContext) => Promise<CommandResult<TokenOutcome>>,
  changed: ChangedStatus = 204,
): Promise<FastifyReply> {
  const render = (outcome: TokenOutcome) => renderToken(request, outcome, changed);
  const result = await command({ merchantId: request.merchantId, correlationId: request.id, idempotency: keyBindingOf(request, idempotencyKeyOf(request), render) });
  countCommand(request, result);
  return sendResult(reply, result, render);
}
