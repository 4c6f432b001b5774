// Checkout API v3 rules (CONTRACT §6) as pure decisions: what a checkout order must hold, when it
// is read-only, what a purchase leads to, and how the validation callback's answer is read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHECKOUT_LIFETIME_MS,
  PENDING_REVIEW_MS,
  checkCheckoutOrder,
  checkoutPhase,
  checkoutStateViolations,
  decideCheckoutAbort,
  decideCheckoutCompletion,
  decideCheckoutUpdate,
  purchaseAddresses,
  validationVerdict,
  type CheckoutOrderFields,
  type CheckoutState,
} from './checkout.js';
import { merchantUrlFor } from './merchantCalls.js';
import { assertPrecedence } from '../../test/support/precedence.js';

const started = new Date('2025-03-01T10:00:00Z');
const later = (ms: number) => new Date(started.getTime() + ms);

function order(overrides: Partial<CheckoutOrderFields> = {}): CheckoutOrderFields {
  return {
    purchase_country: 'SE',
    purchase_currency: 'SEK',
    locale: 'sv-SE',
    order_amount: 12_500,
    order_tax_amount: 2_500,
    order_lines: [
      { name: 'Tomatoes', quantity: 10, unit_price: 1_000, total_amount: 10_000, total_tax_amount: 2_000 },
      { name: 'Shipping', quantity: 1, unit_price: 2_500, total_amount: 2_500, total_tax_amount: 500 },
    ],
    merchant_urls: {
      terms: 'https://shop.example/terms',
      checkout: 'https://shop.example/checkout?sid={checkout.order.id}',
      confirmation: 'https://shop.example/thanks?sid={checkout.order.id}',
      push: 'https://shop.example/push?sid={checkout.order.id}',
    },
    ...overrides,
  };
}

function state(overrides: Partial<CheckoutState> = {}): CheckoutState {
  return { status: 'checkout_incomplete', aborted: false, started_at: started, last_modified_at: started, completed_at: null, ...overrides };
}

const refusalOf = (d: { ok: boolean; code?: string; message?: string }) => (d.ok ? undefined : `${d.code}: ${d.message}`);

describe('checkout order rules', () => {
  it('a consistent order passes', () => {
    assert.equal(checkCheckoutOrder(order()), undefined);
  });

  it("the lines' total_tax_amount must add up to order_tax_amount", () => {
    assert.match(refusalOf(checkCheckoutOrder(order({ order_tax_amount: 2_400 }))!) ?? '', /^BAD_VALUE: Bad value: order_tax_amount \(must equal the sum of order_lines\[\]\.total_tax_amount = 2500\)$/);
  });

  it('the admin intake arithmetic applies: line totals and their sum', () => {
    const badLine = order({ order_lines: [{ name: 'x', quantity: 2, unit_price: 100, total_amount: 150 }], order_amount: 150, order_tax_amount: 0 });
    assert.match(checkCheckoutOrder(badLine)!.message, /^Bad value: order_lines\[0\]\.total_amount/);
    assert.match(checkCheckoutOrder(order({ order_amount: 12_000 }))!.message, /^Bad value: order_amount/);
    assert.match(checkCheckoutOrder(order({ purchase_currency: 'XYZ' }))!.message, /^Bad value: purchase_currency/);
  });

  it('merchant URLs: the four required ones, http or https only, at most 2,000 characters as sent', () => {
    const urls = order().merchant_urls;
    const { push: _push, ...withoutPush } = urls;
    assert.equal(checkCheckoutOrder({ ...order(), merchant_urls: withoutPush as CheckoutOrderFields['merchant_urls'] })!.message, 'Bad value: merchant_urls.push (is required)');
    assert.equal(checkCheckoutOrder(order({ merchant_urls: { ...urls, terms: 'ftp://shop.example/terms' } }))!.message, 'Bad value: merchant_urls.terms (must be an http or https URL)');
    assert.equal(checkCheckoutOrder(order({ merchant_urls: { ...urls, validation: 'javascript:alert(1)' } }))!.message, 'Bad value: merchant_urls.validation (must be an http or https URL)');
    assert.equal(checkCheckoutOrder(order({ merchant_urls: { ...urls, notification: 'not a url' } }))!.message, 'Bad value: merchant_urls.notification (must be an absolute http or https URL)');
    const long = `https://shop.example/${'a'.repeat(2000 - 'https://shop.example/'.length)}`;
    assert.equal(checkCheckoutOrder(order({ merchant_urls: { ...urls, push: long } })), undefined);
    assert.equal(checkCheckoutOrder(order({ merchant_urls: { ...urls, push: `${long}a` } }))!.message, 'Bad value: merchant_urls.push (must be at most 2000 characters)');
  });

  it('{checkout.order.id} is replaced wherever it appears', () => {
    assert.equal(merchantUrlFor('https://s.example/{checkout.order.id}/x?id={checkout.order.id}', 'abc'), 'https://s.example/abc/x?id=abc');
  });
});

describe('checkout state invariants', () => {
  it('an open, an aborted and a completed checkout are valid; aborted-and-complete and a completion time that disagrees with the status are not', () => {
    assert.deepEqual(checkoutStateViolations(state()), []);
    assert.deepEqual(checkoutStateViolations(state({ aborted: true })), []);
    assert.deepEqual(checkoutStateViolations(state({ status: 'checkout_complete', completed_at: later(1) })), []);
    assert.deepEqual(checkoutStateViolations(state({ status: 'checkout_complete', completed_at: later(1), aborted: true })), ['aborted and complete']);
    assert.equal(checkoutStateViolations(state({ status: 'checkout_complete' })).length, 1);
    assert.equal(checkoutStateViolations(state({ completed_at: later(1) })).length, 1);
  });

  it('every decision leaves a valid state', () => {
    const completed = decideCheckoutCompletion(state(), 'pending_accepted', later(1));
    const aborted = decideCheckoutAbort(state(), later(1));
    assert.ok(completed.ok && aborted.ok);
    assert.deepEqual(checkoutStateViolations(completed.value.next), []);
    assert.deepEqual(checkoutStateViolations(aborted.value.next), []);
  });
});

describe('checkout lifetime', () => {
  it('an order is open until 48 hours after its last change, then expired; status is not changed by it', () => {
    assert.equal(checkoutPhase(state(), later(CHECKOUT_LIFETIME_MS - 1_000)), 'open');
    assert.equal(checkoutPhase(state(), later(CHECKOUT_LIFETIME_MS)), 'expired');
    assert.equal(checkoutPhase(state({ last_modified_at: later(3_600_000) }), later(CHECKOUT_LIFETIME_MS)), 'open');
    assert.equal(checkoutPhase(state({ aborted: true }), started), 'aborted');
    assert.equal(checkoutPhase(state({ status: 'checkout_complete', completed_at: started }), later(10 * CHECKOUT_LIFETIME_MS)), 'complete');
  });

  it('an update merges the fields sent, is checked as a whole, and restarts the 48 hours', () => {
    const now = later(60_000);
    const d = decideCheckoutUpdate(state(), order(), { merchant_reference1: 'R-1' }, now);
    assert.ok(d.ok);
    assert.equal(d.value.order.merchant_reference1, 'R-1');
    assert.equal(d.value.order.order_amount, 12_500);
    assert.deepEqual(d.value.next.last_modified_at, now);
    assert.match(refusalOf(decideCheckoutUpdate(state(), order(), { order_amount: 100 }, now)) ?? '', /^BAD_VALUE: Bad value: order_amount/);
  });

  it('completed, aborted and expired orders are read-only to updates and purchases', () => {
    const cases: [CheckoutState, Date, RegExp][] = [
      [state({ status: 'checkout_complete', completed_at: started }), started, /completed/],
      [state({ aborted: true }), started, /aborted/],
      [state(), later(CHECKOUT_LIFETIME_MS), /expired/],
    ];
    for (const [s, now, why] of cases) {
      assert.match(refusalOf(decideCheckoutUpdate(s, order(), {}, now)) ?? '', /^READ_ONLY_ORDER: /);
      assert.match(refusalOf(decideCheckoutUpdate(s, order(), {}, now)) ?? '', why);
      assert.match(refusalOf(decideCheckoutCompletion(s, 'accepted', now)) ?? '', /^READ_ONLY_ORDER: /);
    }
  });

  it('anything but a completed order can be aborted', () => {
    assert.ok(decideCheckoutAbort(state(), started).ok);
    assert.ok(decideCheckoutAbort(state(), later(CHECKOUT_LIFETIME_MS * 2)).ok);
    const again = decideCheckoutAbort(state({ aborted: true }), later(5_000));
    assert.ok(again.ok);
    assert.deepEqual(again.value.next.last_modified_at, started, 'aborting again changes nothing');
    assert.match(refusalOf(decideCheckoutAbort(state({ status: 'checkout_complete', completed_at: started }), started)) ?? '', /^READ_ONLY_ORDER: /);
  });
});

describe('purchase', () => {
  it('accepted: complete now with fraud_status ACCEPTED and no review', () => {
    const now = later(1_000);
    const d = decideCheckoutCompletion(state(), 'accepted', now);
    assert.ok(d.ok);
    assert.equal(d.value.next.status, 'checkout_complete');
    assert.deepEqual(d.value.next.completed_at, now);
    assert.equal(d.value.fraud_status, 'ACCEPTED');
    assert.equal(d.value.review, undefined);
  });

  it('the pending outcomes are PENDING and decided an hour later, accepted or rejected', () => {
    const now = later(1_000);
    for (const [outcome, decision] of [['pending_accepted', 'ACCEPTED'], ['pending_rejected', 'REJECTED']] as const) {
      const d = decideCheckoutCompletion(state(), outcome, now);
      assert.ok(d.ok);
      assert.equal(d.value.fraud_status, 'PENDING');
      assert.deepEqual(d.value.review, { decision, due_at: new Date(now.getTime() + PENDING_REVIEW_MS) });
    }
  });

  it("the shopper's e-mail goes on the addresses; without a shipping address the billing address is used", () => {
    const bare = purchaseAddresses(order(), 'shopper@example.com');
    assert.deepEqual(bare.billing_address, { country: 'SE', email: 'shopper@example.com' });
    assert.deepEqual(bare.shipping_address, bare.billing_address);
    const given = purchaseAddresses(order({ billing_address: { city: 'Vetlanda', email: 'old@example.com' }, shipping_address: { city: 'Eksjö' } }));
    assert.deepEqual(given, { billing_address: { city: 'Vetlanda', email: 'old@example.com' }, shipping_address: { city: 'Eksjö' } });
  });
});

describe('validation callback answers', () => {
  const url = 'https://shop.example/kco/validate?sid=1';
  const answer = (status: number, location: string | null = null, body = '') => ({ status, location, body });

  it('200 approves', () => {
    assert.deepEqual(validationVerdict(answer(200), url, false), { approved: true });
  });

  it('a 3xx denies and sends the shopper to its Location, resolved against the callback URL', () => {
    for (const status of [301, 302, 303, 307]) {
      assert.deepEqual(validationVerdict(answer(status, 'https://shop.example/oops'), url, false), { approved: false, redirect_to: 'https://shop.example/oops' });
    }
    assert.deepEqual(validationVerdict(answer(303, '/cart?error=stock'), url, false), { approved: false, redirect_to: 'https://shop.example/cart?error=stock' });
    assert.deepEqual(validationVerdict(answer(303), url, false), { approved: false });
    assert.deepEqual(validationVerdict(answer(303, 'javascript:alert(1)'), url, false), { approved: false });
  });

  it('a 400 denies with its error_text', () => {
    const body = JSON.stringify({ error_type: 'address_error', error_text: 'We do not ship to Mars.' });
    assert.deepEqual(validationVerdict(answer(400, null, body), url, false), { approved: false, error_text: 'We do not ship to Mars.' });
    assert.deepEqual(validationVerdict(answer(400, null, 'not json'), url, false), { approved: false });
    assert.deepEqual(validationVerdict(answer(400, null, '{"error_text": 7}'), url, false), { approved: false });
  });

  it('no answer and any other status approve, unless options.require_validate_callback_success', () => {
    for (const status of [0, 201, 204, 401, 404, 500, 503]) {
      assert.deepEqual(validationVerdict(answer(status), url, false), { approved: true }, String(status));
      assert.deepEqual(validationVerdict(answer(status), url, true), { approved: false }, String(status));
    }
  });
});

describe('refusal precedence of the checkout decisions (each row: the refusal that comes first while the breaches below it remain)', () => {
  type Case = { state: CheckoutState; update: Partial<CheckoutOrderFields>; now: Date };
  const set = (o: Partial<CheckoutState>) => (c: Case): Case => ({ ...c, state: { ...c.state, ...o } });
  const completedAborted = state({ status: 'checkout_complete', completed_at: later(1), aborted: true });
  const AFTER_LIFETIME = later(CHECKOUT_LIFETIME_MS + 1);
  /** Completed, aborted and expired at once: complete shows first, then aborted, then expired (checkoutPhase). */
  const closedRows = (last: (c: Case) => Case): [string, string, (c: Case) => Case][] => [
    ['READ_ONLY_ORDER', 'it is completed', set({ status: 'checkout_incomplete', completed_at: null })],
    ['READ_ONLY_ORDER', 'it was aborted', set({ aborted: false })],
    ['READ_ONLY_ORDER', 'it expired 48 hours after its last update', last],
  ];
  const open = (c: Case): Case => ({ ...c, now: later(1) });

  it('decideCheckoutUpdate: completed, aborted, expired, then the merged order’s own rules', () => {
    const start: Case = { state: completedAborted, update: { order_amount: 1 }, now: AFTER_LIFETIME };
    assertPrecedence((c: Case) => decideCheckoutUpdate(c.state, order(), c.update, c.now), start, [
      ...closedRows(open),
      ['BAD_VALUE', 'order_amount (must equal the sum of order_lines[].total_amount = 12500)', (c) => ({ ...c, update: { merchant_reference1: 'R1' } })],
    ]);
  });

  it('decideCheckoutAbort: completed only (aborting again is allowed)', () => {
    const start: Case = { state: completedAborted, update: {}, now: AFTER_LIFETIME };
    assertPrecedence((c: Case) => decideCheckoutAbort(c.state, c.now), start, [['READ_ONLY_ORDER', 'it is completed', set({ status: 'checkout_incomplete', completed_at: null })]]);
  });

  it('decideCheckoutCompletion: completed, aborted, expired', () => {
    const start: Case = { state: completedAborted, update: {}, now: AFTER_LIFETIME };
    assertPrecedence((c: Case) => decideCheckoutCompletion(c.state, 'accepted', c.now), start, closedRows(open));
  });
});
