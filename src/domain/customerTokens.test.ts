import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTokenOrder, decideSandboxTokenStatus, decideTokenCancel, decideTokenOrder, tokenAllows, tokenStatusViolation, TOKEN_STATUSES } from './customerTokens.js';

const line = (total: number, tax = 0) => ({ quantity: 1, unit_price: total, total_amount: total, total_tax_amount: tax });
const order = (overrides = {}) => ({ purchase_country: 'SE', purchase_currency: 'SEK', order_amount: 4_900, order_tax_amount: 980, order_lines: [line(4_900, 980)], ...overrides });

describe('customer token rules', () => {
  it('an order with a token: ACTIVE pays, SUSPENDED is TOKEN_SUSPENDED, CANCELLED is TOKEN_NOT_FOUND (in that table order)', () => {
    const table = [
      ['ACTIVE', undefined],
      ['SUSPENDED', 'TOKEN_SUSPENDED'],
      ['CANCELLED', 'TOKEN_NOT_FOUND'],
    ] as const;
    for (const [status, code] of table) {
      const d = decideTokenOrder(status, 'tok');
      assert.equal(d.ok ? undefined : d.problem.code, code, status);
    }
  });

  it('cancelling is final and can be repeated without changing anything', () => {
    for (const status of TOKEN_STATUSES) {
      const d = decideTokenCancel(status);
      assert.ok(d.ok);
      assert.deepEqual(d.value, { next: 'CANCELLED', changed: status !== 'CANCELLED' });
    }
  });

  it('the sandbox suspends and reactivates, but never brings a cancelled token back (NOT_ALLOWED)', () => {
    assert.deepEqual(decideSandboxTokenStatus('ACTIVE', 'SUSPENDED', 't'), { ok: true, value: { next: 'SUSPENDED', changed: true } });
    assert.deepEqual(decideSandboxTokenStatus('SUSPENDED', 'ACTIVE', 't'), { ok: true, value: { next: 'ACTIVE', changed: true } });
    assert.deepEqual(decideSandboxTokenStatus('ACTIVE', 'ACTIVE', 't'), { ok: true, value: { next: 'ACTIVE', changed: false } });
    for (const target of ['ACTIVE', 'SUSPENDED'] as const) {
      const d = decideSandboxTokenStatus('CANCELLED', target, 't');
      assert.equal(d.ok ? undefined : d.problem.code, 'NOT_ALLOWED');
    }
  });

  it('what each status allows agrees with the decisions', () => {
    assert.deepEqual(tokenAllows('ACTIVE'), { order: true, cancel: true, suspend: true, reactivate: false });
    assert.deepEqual(tokenAllows('SUSPENDED'), { order: false, cancel: true, suspend: false, reactivate: true });
    assert.deepEqual(tokenAllows('CANCELLED'), { order: false, cancel: false, suspend: false, reactivate: false });
  });

  it('only the three statuses may be written', () => {
    for (const status of TOKEN_STATUSES) assert.equal(tokenStatusViolation(status), undefined);
    assert.match(tokenStatusViolation('EXPIRED') ?? '', /EXPIRED/);
  });

  it('a token order names the field that is wrong: amount at least 1, lines adding up, tax adding up', () => {
    assert.equal(checkTokenOrder(order()), undefined);
    assert.match(checkTokenOrder(order({ order_amount: 0, order_lines: [line(0)], order_tax_amount: 0 }))?.message ?? '', /order_amount \(must be at least 1\)/);
    assert.match(checkTokenOrder(order({ order_amount: 5_000 }))?.message ?? '', /^Bad value: order_amount /);
    assert.match(checkTokenOrder(order({ order_tax_amount: 1 }))?.message ?? '', /^Bad value: order_tax_amount /);
    assert.match(checkTokenOrder(order({ purchase_currency: 'XXY' }))?.message ?? '', /purchase_currency/);
    assert.equal(checkTokenOrder(order({ order_amount: 0, order_lines: [line(0)], order_tax_amount: 0 }))?.code, 'BAD_VALUE');
  });
});

describe('customer token faults', () => {
  it('a 403 fault on the Customer Token API answers PAYMENT_METHOD_FAILED by default, and its paths can be faulted', async () => {
    const { defaultFaultErrorCode, isFaultablePath } = await import('./faults.js');
    assert.equal(defaultFaultErrorCode(403, '/customer-token/v1/tokens/*/order'), 'PAYMENT_METHOD_FAILED');
    assert.equal(defaultFaultErrorCode(403, '/ordermanagement/v1/orders/*/cancel'), 'NOT_ALLOWED');
    assert.equal(isFaultablePath('/customer-token/v1/tokens/*/order'), true);
  });
});
