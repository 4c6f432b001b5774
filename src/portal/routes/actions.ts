// The order actions: GET /portal/orders/{order_id}/{action} shows the confirmation step, POST runs
// the action through the same command path as the API (runOrderCommand with the operations of
// src/store/orderCommands.ts: same rules, same events).
//
// A confirmation acts at most once (CONTRACT §10). It is bound to the order as the person saw it:
// the order page's forms carry the order's version, the confirmation page is only shown for that
// version, and its POST expects it, checked by the command runner with the order locked. So Back to
// a used confirmation, a reload of it, or a second tab confirming after the first finds the order
// changed and is refused (409, the order shown again), while the same form sent twice (a double
// click) replays the first answer under the idempotency key the confirmation page made.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AmountAvailability, Availability, OrderAvailability } from '../../domain/availability.js';
import { decideExtendAuthorization } from '../../domain/decisions.js';
import { formatAmount } from '../../domain/money.js';
import { refundableAmount, remainingAuthorizedAmount } from '../../domain/order.js';
import { refusalOf, runCommandForRequest } from '../../http/commandReply.js';
import type { OrderCommand } from '../../store/orderTx.js';
import { cancelOrder, createCapture, createRefund, extendAuthorizationTime, releaseRemainingAuthorization } from '../../store/orderCommands.js';
import { readOrderRecord, type OrderRecord } from '../../store/orderRecord.js';
import { isOrderId, orderStateOf } from '../../store/orders.js';
import { sendPage } from '../../html.js';
import { parseAmount } from '../money.js';
import { formField, notFoundPage, queryField, sendMessage, signedIn, type PortalOptions } from '../respond.js';
import { confirmPage } from '../views/confirm.js';
import { timeText } from '../views/formats.js';
import type { AmountAction } from '../views/order.js';
import { allowedActions, sendOrderPage, sendOrderRecord } from './order.js';
import { ORDER_ACTIONS, portalPaths, type OrderAction } from '../paths.js';

type Money = (minor: number) => string;

interface ActionSpec {
  title: string;
  /** Actions that move an amount take it from the form, up to the maximum their availability names. */
  amount?: { action: AmountAction; overMaximum(maximum: string): string };
  allowed(a: OrderAvailability): Availability | AmountAvailability;
  question(money: string, record: OrderRecord): string;
  detail?(record: OrderRecord, money: Money): string | undefined;
  command(amount: number): OrderCommand;
}

function actionSpecs(options: PortalOptions): Record<OrderAction, ActionSpec> {
  return {
    capture: {
      title: 'Confirm capture',
      amount: { action: 'capture', overMaximum: (max) => `You can capture at most ${max}: that is what remains authorized.` },
      allowed: (a) => a.capture,
      question: (money, r) => `Capture ${money} on order ${r.order.klarna_reference}?`,
      detail: (r, money) => `${money(remainingAuthorizedAmount(orderStateOf(r.order), r.now))} remains authorized now.`,
      command: (amount) => createCapture({ captured_amount: amount }),
    },
    refund: {
      title: 'Confirm refund',
      amount: { action: 'refund', overMaximum: (max) => `You can refund at most ${max}: that is what was captured and not yet refunded.` },
      allowed: (a) => a.refund,
      question: (money, r) => `Refund ${money} of order ${r.order.klarna_reference}?`,
      detail: (r, money) => `${money(refundableAmount(orderStateOf(r.order)))} can be refunded now.`,
      command: (amount) => createRefund({ refunded_amount: amount }),
    },
    cancel: {
      title: 'Confirm cancellation',
      allowed: (a) => a.cancel,
      question: (_, r) => `Cancel order ${r.order.klarna_reference}? Nothing can be captured after this.`,
      command: () => cancelOrder,
    },
    release: {
      title: 'Confirm release',
      allowed: (a) => a.release,
      question: (_, r) => `Release the remaining authorization of order ${r.order.klarna_reference}? Nothing more can be captured after this.`,
      detail: (r, money) => `${money(remainingAuthorizedAmount(orderStateOf(r.order), r.now))} remains authorized now.`,
      command: () => releaseRemainingAuthorization,
    },
    extend: {
      title: 'Confirm extension',
      allowed: (a) => a.extend,
      question: (_, r) => `Extend the authorization of order ${r.order.klarna_reference}?`,
      detail: (r) => {
        const d = decideExtendAuthorization(orderStateOf(r.order), r.now, options.config.profile);
        return d.ok ? `It expires at ${timeText(r.order.expires_at)}; after this, at ${timeText(d.value.expires_at)}.` : undefined;
      },
      command: () => extendAuthorizationTime(options.config.profile),
    },
  };
}

/** A whole number a form carries (an order version, an amount in minor units), or undefined. */
function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

type ActionRequest = FastifyRequest<{ Params: { order_id: string } }>;

const incompleteForm = (request: FastifyRequest, reply: FastifyReply, options: PortalOptions) =>
  sendMessage(request, reply, options, 400, 'Bad request', 'The form is incomplete. Go back to the order and try again.');

export const actionRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  const specs = actionSpecs(options);
  for (const action of ORDER_ACTIONS) {
    const spec = specs[action];

    app.get<{ Params: { order_id: string } }>(`/orders/:order_id/${action}`, async (request: ActionRequest, reply) => {
      const viewer = signedIn(request, options);
      const record = await readOrderRecord(options.store, viewer.merchantId, request.params.order_id);
      if (!record) return notFoundPage(request, reply, options);
      const version = wholeNumber(queryField(request, 'version'));
      // A link that names no version of the order (typed, bookmarked) starts from the order page.
      if (version === undefined) return reply.redirect(portalPaths.order(record.order.order_id), 303);
      if (version !== record.version) return sendOrderRecord(request, reply, options, record, 409, { changed: true });
      const allowed = spec.allowed(allowedActions(record, options));
      if (!allowed.allowed) return sendOrderRecord(request, reply, options, record, 403, { error: allowed.reason });
      const { purchase_currency: currency, locale } = record.order;
      const money = (minor: number) => formatAmount(minor, currency, locale);
      let amount: number | undefined;
      if (spec.amount) {
        const text = queryField(request, 'amount') ?? '';
        const parsed = parseAmount(text, currency, locale);
        const maximum = 'maximum' in allowed ? allowed.maximum : 0;
        const message = !parsed.ok ? parsed.message : parsed.minor > maximum ? spec.amount.overMaximum(money(maximum)) : undefined;
        if (message) return sendOrderRecord(request, reply, options, record, 400, { amountError: { action: spec.amount.action, value: text.slice(0, 100), message } });
        if (parsed.ok) amount = parsed.minor;
      }
      return sendPage(
        reply,
        200,
        confirmPage({
          viewer,
          sections: options.sections,
          section: 'orders',
          title: spec.title,
          question: spec.question(money(amount ?? 0), record),
          detail: spec.detail?.(record, money),
          action: portalPaths.orderAction(record.order.order_id, action),
          fields: { idempotency_key: `portal-${randomUUID()}`, version: String(record.version), minor_amount: amount === undefined ? undefined : String(amount) },
          back: { href: portalPaths.order(record.order.order_id), text: `Back to order ${record.order.klarna_reference}` },
        }),
      );
    });

    app.post<{ Params: { order_id: string } }>(`/orders/:order_id/${action}`, async (request: ActionRequest, reply) => {
      const viewer = signedIn(request, options);
      const orderId = request.params.order_id.toLowerCase();
      if (!isOrderId(orderId)) return notFoundPage(request, reply, options);
      const key = formField(request, 'idempotency_key') ?? '';
      const expectedVersion = wholeNumber(formField(request, 'version'));
      const amount = spec.amount ? wholeNumber(formField(request, 'minor_amount')) : 0;
      if (key === '' || key.length > 255 || expectedVersion === undefined || amount === undefined) return incompleteForm(request, reply, options);
      const target = { merchantId: viewer.merchantId, orderId, idempotencyKey: key, expectedVersion };
      const result = await runCommandForRequest(options.store, request, target, spec.command(amount));
      // The same form sent twice replays the first answer, whatever it was.
      const refusal = refusalOf(result);
      if (!refusal) return reply.redirect(portalPaths.orderDone(orderId, action), 303);
      if (refusal.code === 'NO_SUCH_ORDER') return notFoundPage(request, reply, options);
      if (refusal.code === 'ORDER_CHANGED') return sendOrderPage(request, reply, options, orderId, refusal.status, { changed: true });
      return sendOrderPage(request, reply, options, orderId, refusal.status, { error: refusal.message });
    });
  }
};
