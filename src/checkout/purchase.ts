// A shopper's purchase on a checkout order (CONTRACT §6), from the hosted test checkout or the
// sandbox API: only an open checkout can be bought; a denied purchase changes nothing; otherwise
// the merchant's validation callback is asked first (outside any transaction: it may take 3 s),
// and only then is the checkout completed, in one transaction that checks it again.
import type { FastifyBaseLogger } from 'fastify';
import { checkOpen, purchaseAddresses, validationVerdict, type CheckoutPhase, type PurchaseOutcome } from '../domain/checkout.js';
import { merchantUrlFor } from '../domain/merchantCalls.js';
import { problems, type Problem } from '../domain/errorCodes.js';
import { callMerchant, recordOf } from '../outgoing/callMerchant.js';
import { recordCall } from '../store/merchantCalls.js';
import { checkoutFieldsOf, checkoutStateOf, completeCheckout, phaseOf, readCheckout, type CheckoutReading, type CompletionStep } from '../store/checkoutOrders.js';
import type { Store } from '../store/dialect.js';
import type { CheckoutOrdersTable } from '../store/schema.js';
import type { Config } from '../config.js';
import { checkoutOrderJson } from './document.js';

/** Klarna waits this long for the validation callback; no answer approves. */
const VALIDATION_TIMEOUT_MS = 3_000;

export interface PurchaseRequest {
  orderId: string;
  /** The merchant buying through the sandbox API; undefined for the shopper's page. */
  merchantId?: string;
  outcome: PurchaseOutcome;
  email?: string;
  correlationId: string;
  /** Another feature's part of the completion, in its transaction (the Hosted Payment Page's session). */
  alsoInTransaction?: CompletionStep;
}

export type PurchaseAttempt =
  /** The checkout is complete and the order exists; the shopper goes to the confirmation page. */
  | { kind: 'completed'; checkout: CheckoutOrdersTable; redirect_to: string }
  /** The outcome was "denied": nothing changed. */
  | { kind: 'declined'; checkout: CheckoutOrdersTable }
  /** The merchant's validation callback denied it: nothing changed. */
  | { kind: 'rejected'; checkout: CheckoutOrdersTable; redirect_to?: string; error_text?: string }
  /** Unknown order, or one that can no longer be bought (as it now is, when there is one). */
  | { kind: 'refused'; problem: Problem; current?: { checkout: CheckoutOrdersTable; phase: CheckoutPhase } };

export interface PurchaseDeps {
  store: Store;
  config: Config;
  log: FastifyBaseLogger;
}

function currentOf(reading: CheckoutReading) {
  return { checkout: reading.checkout, phase: phaseOf(reading) };
}

export async function attemptPurchase({ store, config, log }: PurchaseDeps, p: PurchaseRequest): Promise<PurchaseAttempt> {
  const reading = await readCheckout(store, p.orderId, p.merchantId);
  if (!reading) return { kind: 'refused', problem: problems.noSuchOrder(p.orderId) };
  const { checkout } = reading;
  const closed = checkOpen(checkoutStateOf(checkout), reading.now);
  if (closed) return { kind: 'refused', problem: closed, current: currentOf(reading) };
  if (p.outcome === 'denied') return { kind: 'declined', checkout };

  const fields = checkoutFieldsOf(checkout);
  const validationUrl = fields.merchant_urls.validation;
  if (validationUrl !== undefined) {
    const url = merchantUrlFor(validationUrl, checkout.order_id);
    const call = {
      url,
      headers: { 'content-type': 'application/json' },
      // What Klarna sends: the order as the shopper is about to buy it, addresses included.
      body: checkoutOrderJson(checkout, config.publicUrl, { ...fields, ...purchaseAddresses(fields, p.email) }),
      timeoutMs: VALIDATION_TIMEOUT_MS,
    };
    const answer = await callMerchant(call);
    await recordCall(store, checkout.merchant_id, checkout.order_id, recordOf('validation', call, answer), reading.now);
    log.info({ order_id: checkout.order_id, status: answer.status, error: answer.error, duration_ms: answer.durationMs }, 'checkout validation callback');
    const verdict = validationVerdict(
      { status: answer.status, location: answer.headers.get('location'), body: answer.body },
      url,
      fields.options?.require_validate_callback_success === true,
    );
    if (!verdict.approved) return { kind: 'rejected', checkout, ...verdict };
  }

  const result = await completeCheckout(store, { ...p, outcome: p.outcome, pushDelaySeconds: config.pushDelaySeconds });
  if (!result.ok) {
    // Another completion (or an abort) got there first: report the checkout as it now is.
    const now = await readCheckout(store, p.orderId, p.merchantId);
    return { kind: 'refused', problem: result.problem, current: now && currentOf(now) };
  }
  return { kind: 'completed', checkout: result.checkout, redirect_to: merchantUrlFor(fields.merchant_urls.confirmation, checkout.order_id) };
}
