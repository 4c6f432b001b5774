// The order actions: GET /portal/orders/{order_id}/{action} shows the confirmation step, POST runs
// the action through the same command path as the API (runOrderCommand with the operations of
// src/store/orderCommands.ts: same rules, same events), idempotent under the key the confirmation
// form carries, so a double submit captures once.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { decideExtendAuthorization } from '../../domain/decisions.js';
import { refundableAmount, remainingAuthorizedAmount } from '../../domain/order.js';
import { refusalOf, runCommandForRequest } from '../../http/commandReply.js';
import type { OrderCommand } from '../../store/orderTx.js';
import { cancelOrder, createCapture, createRefund, extendAuthorizationTime, releaseRemainingAuthorization } from '../../store/orderCommands.js';
import { readOrderRecord, type OrderRecord } from '../../store/orderRecord.js';
import { isOrderId, orderStateOf } from '../../store/orders.js';
import { currencyDigits, formatAmount, toMajorUnits } from '../../domain/money.js';
import { parseMajorUnits } from '../money.js';
import { sendPage } from '../../html.js';
import { formField, notFoundPage, queryField, sendMessage, signedIn, type PortalOptions } from '../respond.js';
import { confirmPage } from '../views/confirm.js';
import { timeText } from '../views/formats.js';
import type { AmountAction } from '../views/order.js';
import { sendOrderPage } from './order.js';
import { ORDER_ACTIONS, portalPaths, type OrderAction } from '../paths.js';

interface ActionSpec {
  title: string;
  /** Actions that move an amount take it from the form. */
  amount?: AmountAction;
  question(money: string, record: OrderRecord): string;
  detail?(record: OrderRecord, money: (minor: number) => string): string | undefined;
  command(amount: number): OrderCommand;
}

function actionSpecs(options: PortalOptions): Record<OrderAction, ActionSpec> {
  return {
    capture: {
      title: 'Confirm capture',
      amount: 'capture',
      question: (money, r) => `Capture ${money} on order ${r.order.klarna_reference}?`,
      detail: (r, money) => `${money(remainingAuthorizedAmount(orderStateOf(r.order), r.now))} remains authorized now.`,
      command: (amount) => createCapture({ captured_amount: amount }),
    },
    refund: {
      title: 'Confirm refund',
      amount: 'refund',
      question: (money, r) => `Refund ${money} of order ${r.order.klarna_reference}?`,
      detail: (r, money) => `${money(refundableAmount(orderStateOf(r.order)))} can be refunded now.`,
      command: (amount) => createRefund({ refunded_amount: amount }),
    },
    cancel: {
      title: 'Confirm cancellation',
      question: (_, r) => `Cancel order ${r.order.klarna_reference}? Nothing can be captured after this.`,
      command: () => cancelOrder,
    },
    release: {
      title: 'Confirm release',
      question: (_, r) => `Release the remaining authorization of order ${r.order.klarna_reference}? Nothing more can be captured after this.`,
      detail: (r, money) => `${money(remainingAuthorizedAmount(orderStateOf(r.order), r.now))} remains authorized now.`,
      command: () => releaseRemainingAuthorization,
    },
    extend: {
      title: 'Confirm extension',
      question: (_, r) => `Extend the authorization of order ${r.order.klarna_reference}?`,
      detail: (r) => {
        const d = decideExtendAuthorization(orderStateOf(r.order), r.now, options.config.profile);
        return d.ok
          ? `It expires at ${timeText(r.order.expires_at)}; after this, at ${timeText(d.value.expires_at)}.`
          : `This will most likely be refused: ${d.message}`;
      },
      command: () => extendAuthorizationTime(options.config.profile),
    },
  };
}

type ActionRequest = FastifyRequest<{ Params: { order_id: string } }>;

export const actionRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  const specs = actionSpecs(options);
  for (const action of ORDER_ACTIONS) {
    const spec = specs[action];
    /** The amount the form carries, or undefined once an error page has been sent. */
    const amountOf = async (request: ActionRequest, reply: FastifyReply, text: string | undefined, record: OrderRecord) => {
      if (!spec.amount) return { minor: 0, text: undefined };
      const parsed = parseMajorUnits(text ?? '', record.order.purchase_currency);
      if (parsed.ok) return { minor: parsed.minor, text: toMajorUnits(parsed.minor, currencyDigits(record.order.purchase_currency)) };
      await sendOrderPage(request, reply, options, record.order.order_id, 400, {
        amountError: { action: spec.amount, value: (text ?? '').slice(0, 100), message: parsed.message },
      });
      return undefined;
    };

    app.get<{ Params: { order_id: string } }>(`/orders/:order_id/${action}`, async (request, reply) => {
      const viewer = signedIn(request, options);
      const record = await readOrderRecord(options.store, viewer.merchantId, request.params.order_id);
      if (!record) return notFoundPage(request, reply, options);
      const amount = await amountOf(request, reply, queryField(request, 'amount'), record);
      if (!amount) return reply;
      const money = (minor: number) => formatAmount(minor, record.order.purchase_currency, record.order.locale);
      return sendPage(
        reply,
        200,
        confirmPage({
          viewer,
          sections: options.sections,
          section: 'orders',
          title: spec.title,
          question: spec.question(money(amount.minor), record),
          detail: spec.detail?.(record, money),
          action: portalPaths.orderAction(record.order.order_id, action),
          fields: { idempotency_key: `portal-${randomUUID()}`, amount: amount.text },
          back: { href: portalPaths.order(record.order.order_id), text: `Back to order ${record.order.klarna_reference}` },
        }),
      );
    });

    app.post<{ Params: { order_id: string } }>(`/orders/:order_id/${action}`, async (request, reply) => {
      const viewer = signedIn(request, options);
      const orderId = request.params.order_id.toLowerCase();
      if (!isOrderId(orderId)) return notFoundPage(request, reply, options);
      const key = formField(request, 'idempotency_key') ?? '';
      if (key === '' || key.length > 255) {
        return sendMessage(request, reply, options, 400, 'Bad request', 'The form is incomplete. Go back to the order and try again.');
      }
      let amount = 0;
      if (spec.amount) {
        const record = await readOrderRecord(options.store, viewer.merchantId, orderId);
        if (!record) return notFoundPage(request, reply, options);
        const parsed = await amountOf(request, reply, formField(request, 'amount'), record);
        if (!parsed) return reply;
        amount = parsed.minor;
      }
      const result = await runCommandForRequest(options.store, request, { merchantId: viewer.merchantId, orderId, idempotencyKey: key }, spec.command(amount));
      // A double submit replays the first submit's result.
      const refusal = refusalOf(result);
      if (!refusal) return reply.redirect(portalPaths.orderDone(orderId, action), 303);
      if (refusal.code === 'NO_SUCH_ORDER') return notFoundPage(request, reply, options);
      return sendOrderPage(request, reply, options, orderId, refusal.status, { error: refusal.message });
    });
  }
};
