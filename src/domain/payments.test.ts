import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUTHORIZATION_TOKEN_LIFETIME_MS,
  SESSION_LIFETIME_MS,
  cartDifferences,
  checkPaymentCart,
  decideAuthorization,
  decideAuthorizationCancel,
  decideOrderFromToken,
  decideSessionUpdate,
  sessionPhase,
  type AuthorizationState,
  type PaymentCart,
} from './payments.js';

const T0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function cart(overrides: Partial<PaymentCart> = {}): PaymentCart {
  return {
    purchase_country: 'SE',
    purchase_currency: 'SEK',
    locale: 'sv-SE',
    order_amount: 10_000,
    order_tax_amount: 2_000,
    order_lines: [{ reference: 'A', name: 'Tomatoes', quantity: 2, unit_price: 5_000, total_amount: 10_000, total_tax_amount: 2_000 }],
    ...overrides,
  };
}

const open = { status: 'incomplete' as const, created_at: T0 };
const token = (over: Partial<AuthorizationState> = {}): AuthorizationState => ({ expires_at: at(AUTHORIZATION_TOKEN_LIFETIME_MS), cancelled: false, order_id: null, ...over });

describe('payment sessions', () => {
  it('a session is open for 48 hours after it is created, then expired; a completed one stays complete', () => {
    assert.equal(sessionPhase(open, at(SESSION_LIFETIME_MS - 1)), 'open');
    assert.equal(sessionPhase(open, at(SESSION_LIFETIME_MS)), 'expired');
    assert.equal(sessionPhase({ ...open, status: 'complete' }, at(SESSION_LIFETIME_MS * 2)), 'complete');
  });

  it('a cart whose lines do not add up is refused naming the field', () => {
    assert.match(checkPaymentCart(cart({ order_amount: 9_999 }))!.message, /order_amount/);
    assert.match(checkPaymentCart(cart({ order_tax_amount: 1 }))!.message, /order_tax_amount/);
    assert.match(checkPaymentCart(cart({ merchant_urls: { authorization: 'ftp://x' } }))!.message, /merchant_urls\.authorization/);
    assert.equal(checkPaymentCart(cart({ order_tax_amount: undefined })), undefined);
  });

  it('an update merges the fields sent and checks the whole; a completed session is SESSION_COMPLETED, an expired one NOT_FOUND', () => {
    const d = decideSessionUpdate('s', open, cart(), { merchant_reference1: 'R1' }, T0);
    assert.ok(d.ok && d.value.merchant_reference1 === 'R1' && d.value.order_amount === 10_000);
    const bad = decideSessionUpdate('s', open, cart(), { order_amount: 1 }, T0);
    assert.ok(!bad.ok && bad.code === 'BAD_VALUE');
    const done = decideSessionUpdate('s', { ...open, status: 'complete' }, cart(), {}, T0);
    assert.ok(!done.ok && done.code === 'SESSION_COMPLETED');
    const gone = decideSessionUpdate('s', open, cart(), {}, at(SESSION_LIFETIME_MS));
    assert.ok(!gone.ok && gone.code === 'NOT_FOUND');
  });
});

describe('authorizations', () => {
  it('accepted and pending make a token that lives 60 minutes; declined makes none', () => {
    const a = decideAuthorization('s', open, 'accepted', T0);
    assert.deepEqual(a, { ok: true, value: { approved: true, fraud_status: 'ACCEPTED', expires_at: at(AUTHORIZATION_TOKEN_LIFETIME_MS) } });
    const p = decideAuthorization('s', open, 'pending', T0);
    assert.ok(p.ok && p.value.approved && p.value.fraud_status === 'PENDING');
    assert.deepEqual(decideAuthorization('s', open, 'declined', T0), { ok: true, value: { approved: false } });
    const late = decideAuthorization('s', open, 'accepted', at(SESSION_LIFETIME_MS));
    assert.ok(!late.ok && late.code === 'NOT_FOUND');
  });

  it('the same cart matches; each differing part is named', () => {
    assert.deepEqual(cartDifferences(cart(), cart({ purchase_country: 'se', merchant_reference1: 'x' })), []);
    const other = cart({ order_amount: 12_000, order_lines: [{ reference: 'A', name: 'Tomatoes', quantity: 2, unit_price: 6_000, total_amount: 12_000, total_tax_amount: 2_000 }] });
    assert.deepEqual(cartDifferences(cart(), other), ['order_amount', 'order_lines[0].unit_price', 'order_lines[0].total_amount']);
    assert.deepEqual(cartDifferences(cart(), cart({ order_lines: [] })), ['order_lines']);
  });

  it('an order from a usable token with the authorized cart is made; a pending one is reviewed an hour later', () => {
    assert.deepEqual(decideOrderFromToken(token(), 'ACCEPTED', cart(), cart(), T0), { ok: true, value: { fraud_status: 'ACCEPTED' } });
    const p = decideOrderFromToken(token(), 'PENDING', cart(), cart(), T0);
    assert.ok(p.ok && p.value.fraud_status === 'PENDING' && p.value.review?.due_at.getTime() === at(3_600_000).getTime());
  });

  it('a differing cart is a kept 409 BAD_VALUE; an invalid cart a kept 400; expired, cancelled or spent tokens are NOT_FOUND and not kept', () => {
    const differs = decideOrderFromToken(token(), 'ACCEPTED', cart(), cart({ order_amount: 5_000, order_lines: [{ name: 'x', quantity: 1, unit_price: 5_000, total_amount: 5_000, total_tax_amount: 2_000 }] }), T0);
    assert.ok(!differs.ok && differs.code === 'BAD_VALUE' && differs.conflict === true && differs.keep === true);
    const invalid = decideOrderFromToken(token(), 'ACCEPTED', cart(), cart({ order_amount: 1 }), T0);
    assert.ok(!invalid.ok && invalid.code === 'BAD_VALUE' && invalid.conflict === undefined && invalid.keep === true);
    for (const [state, now] of [
      [token(), at(AUTHORIZATION_TOKEN_LIFETIME_MS)],
      [token({ cancelled: true }), T0],
      [token({ order_id: 'o' }), T0],
    ] as const) {
      const d = decideOrderFromToken(state, 'ACCEPTED', cart(), cart(), now);
      assert.ok(!d.ok && d.code === 'NOT_FOUND' && d.keep === undefined);
    }
  });

  it('a usable token can be cancelled once', () => {
    const d = decideAuthorizationCancel(token(), T0);
    assert.ok(d.ok && d.value.cancelled);
    assert.ok(!decideAuthorizationCancel(token({ cancelled: true }), T0).ok);
    assert.ok(!decideAuthorizationCancel(token(), at(AUTHORIZATION_TOKEN_LIFETIME_MS)).ok);
  });
});
