// `openom trigger EVENT` (CONTRACT §15): the merchant API calls that cause an event, made in turn
// and printed one line each, so a test suite (or a person) sees both the event and how it arose.
import { authorization, sendForAnswer, serverUrl, type ApiRequest } from './api.js';
import type { Input } from './commandTypes.js';
import { usageError } from './output.js';

type Step = (req: ApiRequest) => Promise<Record<string, unknown>>;

const AMOUNT = 10_000;

/** A small checkout order: one line and shipping, URLs on a shop that does not exist (its push fails, visibly). */
const CHECKOUT = {
  purchase_country: 'SE',
  purchase_currency: 'SEK',
  locale: 'sv-SE',
  order_amount: AMOUNT,
  order_tax_amount: 0,
  merchant_reference1: 'openom-trigger',
  order_lines: [
    { type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: AMOUNT - 1000, tax_rate: 0, total_amount: AMOUNT - 1000, total_tax_amount: 0 },
    { type: 'shipping_fee', reference: 'SHIP', name: 'Shipping', quantity: 1, unit_price: 1000, tax_rate: 0, total_amount: 1000, total_tax_amount: 0 },
  ],
  merchant_urls: {
    terms: 'https://shop.example/terms',
    checkout: 'https://shop.example/checkout?sid={checkout.order.id}',
    confirmation: 'https://shop.example/thanks?sid={checkout.order.id}',
    push: 'https://shop.example/push?sid={checkout.order.id}',
  },
};

/** An order bought through a checkout with the given outcome: its id. */
async function boughtOrder(step: Step, outcome = 'accepted'): Promise<string> {
  const checkout = await step({ method: 'POST', path: '/checkout/v3/orders', body: CHECKOUT });
  const orderId = String(checkout.order_id);
  await step({ method: 'POST', path: `/sandbox/v1/checkout/${orderId}/complete`, body: { outcome } });
  return orderId;
}

const orderPath = (orderId: string, rest: string) => `/ordermanagement/v1/orders/${orderId}${rest}`;

const TRIGGERS: Record<string, (step: Step, options: Input['options']) => Promise<unknown>> = {
  'order.created': (step) => boughtOrder(step),
  'capture.created': async (step) => step({ method: 'POST', path: orderPath(await boughtOrder(step), '/captures'), body: { captured_amount: AMOUNT } }),
  'refund.created': async (step) => {
    const orderId = await boughtOrder(step);
    await step({ method: 'POST', path: orderPath(orderId, '/captures'), body: { captured_amount: AMOUNT } });
    return step({ method: 'POST', path: orderPath(orderId, '/refunds'), body: { refunded_amount: AMOUNT / 2 } });
  },
  'openom.order.cancelled': async (step) => step({ method: 'POST', path: orderPath(await boughtOrder(step), '/cancel') }),
  'openom.order.released': async (step) => {
    const orderId = await boughtOrder(step);
    await step({ method: 'POST', path: orderPath(orderId, '/captures'), body: { captured_amount: AMOUNT / 2 } });
    return step({ method: 'POST', path: orderPath(orderId, '/release-remaining-authorization') });
  },
  'openom.order.fraud_status_changed': async (step, options) =>
    step({ method: 'POST', path: `/sandbox/v1/orders/${await boughtOrder(step, 'pending_accepted')}/fraud-decision`, body: { decision: options.decision ?? 'ACCEPTED' } }),
  'openom.order.expired': async (step) => {
    const orderId = await boughtOrder(step);
    const order = await step({ method: 'GET', path: orderPath(orderId, '') });
    const clock = await step({ method: 'GET', path: '/sandbox/v1/clock' });
    const seconds = Math.ceil((Date.parse(String(order.expires_at)) - Date.parse(String(clock.now))) / 1000) + 1;
    return step({ method: 'POST', path: '/sandbox/v1/clock/advance', body: { seconds } });
  },
};

export const TRIGGERABLE_EVENTS = Object.keys(TRIGGERS);

/** The ids an answer names, for its line. */
function idsOf(body: Record<string, unknown>, headers: Record<string, unknown>): string {
  const named = [
    ['order_id', body.order_id],
    ['capture_id', headers['capture-id']],
    ['refund_id', headers['refund-id']],
  ].filter(([, v]) => typeof v === 'string');
  return named.map(([k, v]) => ` ${String(k)}=${String(v)}`).join('');
}

export async function trigger({ args, options, env }: Input): Promise<number> {
  const run = TRIGGERS[args.EVENT!];
  if (!run) throw usageError(`trigger: no way to cause "${args.EVENT}"; one of: ${TRIGGERABLE_EVENTS.join(', ')}`);
  const base = serverUrl(options.url, env);
  const auth = authorization('merchant', env);
  const step: Step = async (req) => {
    const answer = await sendForAnswer(base, auth, req);
    const body = answer.text === '' ? {} : (JSON.parse(answer.text) as Record<string, unknown>);
    process.stdout.write(`${req.method} ${req.path} → ${answer.status}${idsOf(body, answer.headers)}\n`);
    return body;
  };
  await run(step, options);
  return 0;
}
