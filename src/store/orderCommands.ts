// The Order Management mutations as store commands: each asks src/domain for a decision on the
// locked order, then writes exactly what was decided. Run them with runOrderCommand.
import { randomUUID } from 'node:crypto';
import type { Decision } from '../domain/decision.js';
import {
  decideAcknowledge,
  decideCancel,
  decideCapture,
  decideCustomerDetailsUpdate,
  decideExpiry,
  decideExtendAuthorization,
  decideExtendDueDate,
  decideFraudDecision,
  decideMerchantReferencesUpdate,
  decideRefund,
  decideRelease,
  decideShippingInfoUpdate,
  decideUpdateAuthorization,
  type ApiProfile,
  type FraudDecision,
  type MerchantReferences,
} from '../domain/decisions.js';
import { problems } from '../domain/errorCodes.js';
import { fraudNotificationEventType, merchantUrlFor } from '../domain/merchantCalls.js';
import type { OrderLineAmounts } from '../domain/orderLines.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { updateOrderState, type OrderCommand, type OrderTx } from './orderTx.js';
import { refused, type Outcome } from './outcome.js';
import { isUuid, merchantUrlOf } from './orders.js';
import { cancelTokenOfRejectedPurchase } from './tokenWrites.js';
import type { CapturesTable } from './schema.js';
import { writeCaptureSettlement, writeRefundSettlement } from './settlementWrites.js';

type Json = Record<string, unknown>;
type Line = OrderLineAmounts & Json;

const NO_CONTENT: Outcome = { kind: 'no_content' };

function refusalOutcome(d: Extract<Decision<unknown>, { ok: false }>): Outcome {
  return refused({ code: d.code, message: d.message });
}

function addShippingInfo(tx: OrderTx, captureId: string | null, items: Json[]): void {
  tx.write(
    tx.db
      .insertInto('shipping_info')
      .values({ order_id: tx.order.order_id, capture_id: captureId, items: JSON.stringify(items), added_at: tx.now.toISOString() }),
  );
}

export interface CaptureRequest {
  captured_amount: number;
  description?: string;
  reference?: string;
  order_lines?: Line[];
  shipping_info?: Json[];
  shipping_delay?: number;
}

export function createCapture(req: CaptureRequest): OrderCommand {
  return async (tx) => {
    const d = decideCapture(tx.state, req, tx.now);
    if (!d.ok) return refusalOutcome(d);
    const { next } = d.value;
    const seq = tx.order.capture_count + 1;
    const captureId = randomUUID();
    const capture: CapturesTable = {
      capture_id: captureId,
      order_id: tx.order.order_id,
      seq,
      klarna_reference: `${tx.order.klarna_reference}-${seq}`,
      captured_amount: d.value.captured_amount,
      refunded_amount: 0,
      description: req.description ?? null,
      reference: req.reference ?? null,
      order_lines: req.order_lines ? JSON.stringify(req.order_lines) : null,
      // A capture keeps the addresses the order had when it was captured.
      billing_address: tx.order.billing_address,
      shipping_address: tx.order.shipping_address,
      shipping_delay: req.shipping_delay ?? null,
      due_date_extension_days: 0,
      captured_at: toKlarnaTimestamp(tx.now),
    };
    tx.write(tx.db.insertInto('captures').values(capture));
    writeCaptureSettlement(tx, capture);
    if (req.shipping_info && req.shipping_info.length > 0) addShippingInfo(tx, captureId, req.shipping_info);
    updateOrderState(tx, next, { capture_count: seq });
    tx.recordEvent('CAPTURE_CREATED', next, { capture_id: captureId, captured_amount: d.value.captured_amount, reference: req.reference });
    return { kind: 'created', resource: 'captures', orderId: tx.order.order_id, id: captureId };
  };
}

export interface RefundRequest {
  refunded_amount: number;
  description?: string;
  reference?: string;
  order_lines?: Line[];
}

export function createRefund(req: RefundRequest): OrderCommand {
  return async (tx) => {
    const captures = await tx.db
      .selectFrom('captures')
      .select(['capture_id', 'captured_amount', 'refunded_amount'])
      .where('order_id', '=', tx.order.order_id)
      .orderBy('seq')
      .execute();
    const d = decideRefund(tx.state, captures, req);
    if (!d.ok) return refusalOutcome(d);
    const seq = tx.order.refund_count + 1;
    const refundId = randomUUID();
    tx.write(
      tx.db.insertInto('refunds').values({
        refund_id: refundId,
        order_id: tx.order.order_id,
        seq,
        refunded_amount: d.value.refunded_amount,
        description: req.description ?? null,
        reference: req.reference ?? null,
        order_lines: req.order_lines ? JSON.stringify(req.order_lines) : null,
        allocations: JSON.stringify(d.value.allocations),
        refunded_at: toKlarnaTimestamp(tx.now),
      }),
    );
    writeRefundSettlement(tx, { refund_id: refundId, refunded_amount: d.value.refunded_amount, reference: req.reference ?? null, captureIds: d.value.allocations.map((a) => a.capture_id) });
    for (const a of d.value.allocations) {
      tx.write(
        tx.db
          .updateTable('captures')
          .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', a.amount) }))
          .where('capture_id', '=', a.capture_id),
      );
    }
    updateOrderState(tx, d.value.next, { refund_count: seq });
    tx.recordEvent('REFUND_CREATED', d.value.next, { refund_id: refundId, refunded_amount: d.value.refunded_amount, allocations: d.value.allocations });
    return { kind: 'created', resource: 'refunds', orderId: tx.order.order_id, id: refundId };
  };
}

export const cancelOrder: OrderCommand = async (tx) => {
  const d = decideCancel(tx.state);
  if (!d.ok) return refusalOutcome(d);
  updateOrderState(tx, d.value.next);
  tx.recordEvent('ORDER_CANCELLED', d.value.next);
  return NO_CONTENT;
};

export const releaseRemainingAuthorization: OrderCommand = async (tx) => {
  const d = decideRelease(tx.state, tx.now);
  if (!d.ok) return refusalOutcome(d);
  updateOrderState(tx, d.value.next);
  tx.recordEvent('REMAINING_AUTHORIZATION_RELEASED', d.value.next, { released_amount: d.value.released_amount });
  return NO_CONTENT;
};

export function extendAuthorizationTime(profile: ApiProfile): OrderCommand {
  return async (tx) => {
    const d = decideExtendAuthorization(tx.state, tx.now, profile);
    if (!d.ok) return refusalOutcome(d);
    updateOrderState(tx, d.value.next);
    tx.recordEvent('AUTHORIZATION_EXTENDED', d.value.next, { expires_at: toKlarnaTimestamp(d.value.expires_at) });
    return NO_CONTENT;
  };
}

export const acknowledgeOrder: OrderCommand = async (tx) => {
  const d = decideAcknowledge(tx.state);
  if (!d.ok) return refusalOutcome(d);
  // Only the first acknowledge changes the row; every one is recorded.
  if (d.value.first) updateOrderState(tx, d.value.next);
  tx.recordEvent('ORDER_ACKNOWLEDGED', d.value.next, { first: d.value.first });
  return NO_CONTENT;
};

export function updateMerchantReferences(req: MerchantReferences): OrderCommand {
  return async (tx) => {
    const d = decideMerchantReferencesUpdate(tx.state, req);
    if (!d.ok) return refusalOutcome(d);
    updateOrderState(tx, d.value.next, d.value.references);
    tx.recordEvent('MERCHANT_REFERENCES_UPDATED', d.value.next, d.value.references);
    return NO_CONTENT;
  };
}

export function updateCustomerDetails(req: { shipping_address?: Json & { country?: string }; billing_address?: Json }): OrderCommand {
  return async (tx) => {
    const d = decideCustomerDetailsUpdate(tx.state, req);
    if (!d.ok) return refusalOutcome(d);
    if (req.shipping_address !== undefined) {
      updateOrderState(tx, d.value.next, { shipping_address: JSON.stringify(req.shipping_address) });
    }
    // Addresses are personal data: the event records that they changed, not what they are.
    tx.recordEvent('CUSTOMER_DETAILS_UPDATED', d.value.next, { fields: Object.keys(req) });
    return NO_CONTENT;
  };
}

export function addOrderShippingInfo(req: { shipping_info: Json[] }): OrderCommand {
  return async (tx) => {
    const d = decideShippingInfoUpdate(tx.state);
    if (!d.ok) return refusalOutcome(d);
    addShippingInfo(tx, null, req.shipping_info);
    updateOrderState(tx, d.value.next, { shipping_info_count: tx.order.shipping_info_count + 1 });
    tx.recordEvent('ORDER_SHIPPING_INFO_ADDED', d.value.next, { items: req.shipping_info.length });
    return NO_CONTENT;
  };
}

export function updateAuthorization(req: { order_amount: number; description?: string; order_lines: Line[] }): OrderCommand {
  return async (tx) => {
    const d = decideUpdateAuthorization(tx.state, req, tx.now);
    if (!d.ok) return refusalOutcome(d);
    updateOrderState(tx, d.value.next, { order_lines: JSON.stringify(req.order_lines) });
    tx.recordEvent('AUTHORIZATION_UPDATED', d.value.next, { description: req.description, order_amount: d.value.order_amount });
    return NO_CONTENT;
  };
}

/** Runs a capture-level command once the capture is found on the locked order. */
function onCapture(captureIdParam: string, fn: (tx: OrderTx, capture: CapturesTable) => Promise<Outcome>): OrderCommand {
  return async (tx) => {
    const capture = isUuid(captureIdParam)
      ? await tx.db
          .selectFrom('captures')
          .selectAll()
          .where('order_id', '=', tx.order.order_id)
          .where('capture_id', '=', captureIdParam.toLowerCase())
          .executeTakeFirst()
      : undefined;
    if (!capture) return refused(problems.noSuchCapture(tx.order.order_id, captureIdParam));
    return fn(tx, capture);
  };
}

export function addCaptureShippingInfo(captureId: string, req: { shipping_info: Json[] }): OrderCommand {
  return onCapture(captureId, async (tx, capture) => {
    addShippingInfo(tx, capture.capture_id, req.shipping_info);
    updateOrderState(tx, tx.state);
    tx.recordEvent('CAPTURE_SHIPPING_INFO_ADDED', tx.state, { capture_id: capture.capture_id, items: req.shipping_info.length });
    return NO_CONTENT;
  });
}

export function extendCaptureDueDate(captureId: string, numberOfDays: number): OrderCommand {
  return onCapture(captureId, async (tx, capture) => {
    const d = decideExtendDueDate(capture, numberOfDays);
    if (!d.ok) return refusalOutcome(d);
    tx.write(tx.db.updateTable('captures').set({ due_date_extension_days: d.value.number_of_days }).where('capture_id', '=', capture.capture_id));
    updateOrderState(tx, tx.state);
    tx.recordEvent('CAPTURE_DUE_DATE_EXTENDED', tx.state, { capture_id: capture.capture_id, number_of_days: d.value.number_of_days });
    return NO_CONTENT;
  });
}

export function triggerSendOut(captureId: string): OrderCommand {
  return onCapture(captureId, async (tx, capture) => {
    tx.recordEvent('CAPTURE_SEND_OUT_TRIGGERED', tx.state, { capture_id: capture.capture_id });
    return NO_CONTENT;
  });
}

/** The end of a pending fraud review (sandbox, or the automatic decision of a pending checkout). */
export function applyFraudDecision(decision: FraudDecision): OrderCommand {
  return async (tx) => {
    const d = decideFraudDecision(tx.state, decision);
    if (!d.ok) return refusalOutcome(d);
    updateOrderState(tx, d.value.next);
    tx.recordEvent('FRAUD_STATUS_CHANGED', d.value.next, { decision, fraud_status: d.value.next.fraud_status });
    if (d.value.cancelled) {
      tx.recordEvent('ORDER_CANCELLED', d.value.next, { reason: `fraud ${decision.toLowerCase()}` });
      await cancelTokenOfRejectedPurchase(tx);
    }
    const notification = merchantUrlOf(tx.order.merchant_urls, 'notification');
    if (notification) {
      const orderId = tx.order.order_id;
      tx.schedule({
        kind: 'notification',
        orderId,
        payload: { url: merchantUrlFor(notification, orderId), order_id: orderId, event_type: fraudNotificationEventType(decision) },
        dueAt: tx.now,
      });
    }
    return NO_CONTENT;
  };
}

/**
 * Run by the expiry job: records ORDER_EXPIRED once the merchant's clock has passed expires_at
 * with authorization unused, or waits for a later expires_at (an extension moved it).
 */
export const recordExpiry: OrderCommand = async (tx) => {
  const d = decideExpiry(tx.state, tx.now);
  if (d.action === 'wait') {
    tx.schedule({ kind: 'expiry', orderId: tx.order.order_id, payload: {}, dueAt: d.until });
  } else if (d.action === 'record') {
    updateOrderState(tx, d.next);
    tx.recordEvent('ORDER_EXPIRED', d.next, { expires_at: toKlarnaTimestamp(d.next.expires_at) });
  }
  return NO_CONTENT;
};
