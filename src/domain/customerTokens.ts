// Customer tokens (CONTRACT §12): a completed recurring checkout leaves the merchant a token with
// which it places later orders for the same customer without the customer (subscriptions). What a
// token's status allows, and which refusal each operation gets, is decided here. Pure.
import { checkOrderIntake, type IntakeFacts } from './intake.js';
import { checkLinesSum, type OrderLineAmounts } from './orderLines.js';
import type { Problem } from './errorCodes.js';

/** Klarna's token lifecycle: ACTIVE until suspended (by Klarna, here the sandbox) or cancelled (final). */
export const TOKEN_STATUSES = ['ACTIVE', 'SUSPENDED', 'CANCELLED'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/** The sandbox's helper may move a token between these two; CANCELLED is final. */
export type SandboxTokenStatus = Extract<TokenStatus, 'ACTIVE' | 'SUSPENDED'>;

/** A recurring checkout's token pays by invoice in the sandbox (CONTRACT §12). */
export const SANDBOX_PAYMENT_METHOD_TYPE = 'INVOICE';

export type TokenDecision<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const ok = <T>(value: T): TokenDecision<T> => ({ ok: true, value });
const no = (problem: Problem): TokenDecision<never> => ({ ok: false, problem });

export const tokenProblems = {
  /** Klarna's answer to a read of an unknown token (and, here, another merchant's). */
  invalidToken: (): Problem => ({ code: 'NOT_FOUND', message: 'Invalid customer-token ID' }),
  tokenNotFound: (token: string): Problem => ({ code: 'TOKEN_NOT_FOUND', message: `Customer token ${token} cannot be found or is cancelled.` }),
  tokenSuspended: (token: string): Problem => ({ code: 'TOKEN_SUSPENDED', message: `Customer token ${token} is suspended; no order can be placed with it until it is active again.` }),
  cancelledIsFinal: (token: string): Problem => ({ code: 'NOT_ALLOWED', message: `Customer token ${token} is cancelled; a cancelled token cannot be used again.` }),
};

/** The invariant the store asserts before writing a token (the column's CHECK is the other half). */
export function tokenStatusViolation(status: string): string | undefined {
  return (TOKEN_STATUSES as readonly string[]).includes(status) ? undefined : `status ${status} is not one of ${TOKEN_STATUSES.join(', ')}`;
}

/** An order with the token: only an ACTIVE token pays; a cancelled one is as unknown as no token. */
export function decideTokenOrder(status: TokenStatus, token: string): TokenDecision<null> {
  if (status === 'CANCELLED') return no(tokenProblems.tokenNotFound(token));
  if (status === 'SUSPENDED') return no(tokenProblems.tokenSuspended(token));
  return ok(null);
}

/**
 * The merchant's cancellation: final. Cancelling a cancelled token again changes nothing and is
 * answered as the first was, so a client may retry it safely.
 */
export function decideTokenCancel(status: TokenStatus): TokenDecision<{ next: TokenStatus; changed: boolean }> {
  return ok({ next: 'CANCELLED', changed: status !== 'CANCELLED' });
}

/** The sandbox's suspension and reactivation (what Klarna does to a token whose customer stops paying, and undoes). */
export function decideSandboxTokenStatus(status: TokenStatus, target: SandboxTokenStatus, token: string): TokenDecision<{ next: TokenStatus; changed: boolean }> {
  if (status === 'CANCELLED') return no(tokenProblems.cancelledIsFinal(token));
  return ok({ next: target, changed: status !== target });
}

export type TokenOperation = 'order' | 'cancel' | 'suspend' | 'reactivate';

/** What a token lets the merchant do now, asked of each operation's own decision (the portal's list shows it). */
export function tokenAllows(status: TokenStatus): Record<TokenOperation, boolean> {
  const changes = (d: TokenDecision<{ changed: boolean }>) => d.ok && d.value.changed;
  return {
    order: decideTokenOrder(status, '').ok,
    cancel: changes(decideTokenCancel(status)),
    suspend: changes(decideSandboxTokenStatus(status, 'SUSPENDED', '')),
    reactivate: changes(decideSandboxTokenStatus(status, 'ACTIVE', '')),
  };
}

/** The facts of an order placed with a token that its rules look at (the HTTP schema holds types and ranges). */
export interface TokenOrderFacts extends Omit<IntakeFacts, 'expires_at'> {
  order_tax_amount: number;
  order_lines: readonly OrderLineAmounts[];
}

/** Why an order with a token cannot be placed as asked (the admin intake's arithmetic, the tax sum, at least 1 to pay). */
export function checkTokenOrder(order: TokenOrderFacts): Problem | undefined {
  if (order.order_amount < 1) return { code: 'BAD_VALUE', message: 'Bad value: order_amount (must be at least 1)' };
  const refusal = checkOrderIntake(order) ?? checkLinesSum(order.order_lines, order.order_tax_amount, 'order_tax_amount', 'order_lines', 'total_tax_amount');
  return refusal && { code: refusal.code, message: refusal.message };
}
