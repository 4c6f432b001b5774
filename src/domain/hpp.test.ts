// Hosted Payment Page rules (CONTRACT §13) as pure decisions: the source a payment_session_url
// names, the session's state machine, expiry, place_order_mode and the merchant URLs' placeholders.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HPP_STATUSES,
  checkHppMerchantUrls,
  checkSourceLifetime,
  decideDistribution,
  decideHppEvent,
  fillPlaceholders,
  hppExpiresAt,
  hppPhase,
  isFinalHppStatus,
  parsePaymentSessionUrl,
  placeOrderModeFor,
  storedHppMerchantUrls,
  type HppEvent,
  type HppState,
  type HppStatus,
} from './hpp.js';
import { assertPrecedence } from '../../test/support/precedence.js';

const created = new Date('2025-03-01T10:00:00Z');
const later = (ms: number) => new Date(created.getTime() + ms);
const HOUR = 3_600_000;
const ORDER_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

function state(status: HppStatus, expiresInMs = 47 * HOUR): HppState {
  return { status, expires_at: later(expiresInMs), updated_at: created };
}

describe('payment_session_url', () => {
  it('names a checkout order by its path, whatever the base, with the id in lower case', () => {
    assert.deepEqual(parsePaymentSessionUrl(`https://api.example.com/checkout/v3/orders/${ORDER_ID.toUpperCase()}`), { ok: true, value: { kind: 'checkout_order', order_id: ORDER_ID } });
    assert.deepEqual(parsePaymentSessionUrl(`http://127.0.0.1:8080/checkout/v3/orders/${ORDER_ID}`), { ok: true, value: { kind: 'checkout_order', order_id: ORDER_ID } });
  });

  it('names a payment session as the other kind of source', () => {
    assert.deepEqual(parsePaymentSessionUrl('https://api.example.com/payments/v1/sessions/abc-123'), { ok: true, value: { kind: 'payment_session', session_id: 'abc-123' } });
  });

  for (const bad of ['not a url', 'ftp://x/checkout/v3/orders/' + ORDER_ID, 'https://x/checkout/v3/orders/123', 'https://x/ordermanagement/v1/orders/' + ORDER_ID, 'https://x/checkout/v3/orders/' + ORDER_ID + '/abort']) {
    it(`refuses ${JSON.stringify(bad)} with BAD_VALUE naming payment_session_url`, () => {
      const d = parsePaymentSessionUrl(bad);
      assert.ok(!d.ok && d.code === 'BAD_VALUE' && d.message.includes('payment_session_url'), JSON.stringify(d));
    });
  }
});

describe('place_order_mode', () => {
  it('defaults to PLACE_ORDER for a checkout order and NONE for a payment session', () => {
    assert.deepEqual(placeOrderModeFor('checkout_order', undefined), { ok: true, value: 'PLACE_ORDER' });
    assert.deepEqual(placeOrderModeFor('payment_session', undefined), { ok: true, value: 'NONE' });
  });

  it('keeps CAPTURE_ORDER for either source', () => {
    assert.deepEqual(placeOrderModeFor('checkout_order', 'CAPTURE_ORDER'), { ok: true, value: 'CAPTURE_ORDER' });
    assert.deepEqual(placeOrderModeFor('payment_session', 'CAPTURE_ORDER'), { ok: true, value: 'CAPTURE_ORDER' });
  });

  it('refuses NONE for a checkout order, naming options.place_order_mode', () => {
    const d = placeOrderModeFor('checkout_order', 'NONE');
    assert.ok(!d.ok && d.code === 'BAD_VALUE' && d.message.includes('options.place_order_mode'));
  });
});

describe('expiry', () => {
  it('is one hour before the source expires', () => {
    assert.equal(hppExpiresAt(later(48 * HOUR)).toISOString(), later(47 * HOUR).toISOString());
  });

  it('refuses a source that expires within the hour', () => {
    assert.equal(checkSourceLifetime(later(HOUR + 1), created), undefined);
    const d = checkSourceLifetime(later(HOUR), created);
    assert.ok(d && d.code === 'BAD_VALUE' && d.message.includes('payment_session_url'));
  });

  it('makes a session unusable, on the clock it is given, at expires_at exactly', () => {
    assert.equal(hppPhase(state('WAITING', HOUR), later(HOUR - 1)), 'usable');
    assert.equal(hppPhase(state('WAITING', HOUR), later(HOUR)), 'expired');
    assert.equal(hppPhase(state('COMPLETED', HOUR), later(2 * HOUR)), 'final');
  });
});

describe('state machine', () => {
  const shopperPath: [HppStatus, HppEvent, HppStatus][] = [
    ['WAITING', 'open', 'IN_PROGRESS'],
    ['BACK', 'open', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'complete', 'COMPLETED'],
    ['IN_PROGRESS', 'fail', 'FAILED'],
    ['IN_PROGRESS', 'cancel', 'CANCELLED'],
    ['IN_PROGRESS', 'back', 'BACK'],
    ['IN_PROGRESS', 'error', 'ERROR'],
    ['WAITING', 'disable', 'DISABLED'],
    ['IN_PROGRESS', 'disable', 'DISABLED'],
    ['FAILED', 'disable', 'DISABLED'],
  ];
  for (const [from, event, to] of shopperPath) {
    it(`${from} --${event}--> ${to}, stamped with the time of the change`, () => {
      const d = decideHppEvent(state(from), event, later(60_000));
      assert.ok(d.ok);
      assert.deepEqual(d.value, { next: { status: to, expires_at: later(47 * HOUR), updated_at: later(60_000) }, changed: true });
    });
  }

  it('opening an open page again, or disabling a disabled session, changes nothing (no status_update is due)', () => {
    for (const [from, event] of [['IN_PROGRESS', 'open'], ['DISABLED', 'disable']] as const) {
      const d = decideHppEvent(state(from), event, later(60_000));
      assert.ok(d.ok);
      assert.equal(d.value.changed, false);
      assert.equal(d.value.next.updated_at, created);
    }
  });

  it('a completed session cannot be disabled: 400 BAD_VALUE', () => {
    const d = decideHppEvent(state('COMPLETED'), 'disable', later(1));
    assert.ok(!d.ok && d.code === 'BAD_VALUE');
  });

  it('final statuses accept no shopper event', () => {
    for (const status of HPP_STATUSES.filter(isFinalHppStatus)) {
      for (const event of ['open', 'complete', 'fail', 'cancel', 'back', 'error'] as const) {
        const d = decideHppEvent(state(status), event, later(1));
        assert.ok(!d.ok && d.code === 'NOT_ALLOWED', `${status} ${event}`);
      }
    }
  });

  it('BACK is not final: the shopper may come back through the link', () => {
    assert.equal(isFinalHppStatus('BACK'), false);
    assert.equal(isFinalHppStatus('WAITING'), false);
    assert.equal(isFinalHppStatus('IN_PROGRESS'), false);
  });

  it('refuses a shopper outcome in precedence: final, then expired, then a page never opened', () => {
    type Case = { state: HppState; now: Date };
    assertPrecedence<Case>((c) => decideHppEvent(c.state, 'complete', c.now), { state: state('DISABLED', HOUR), now: later(2 * HOUR) }, [
      ['NOT_ALLOWED', 'DISABLED', (c) => ({ ...c, state: { ...c.state, status: 'WAITING' } })],
      ['NOT_ALLOWED', 'expired', (c) => ({ ...c, now: later(1) })],
      ['NOT_ALLOWED', 'not open', (c) => ({ ...c, state: { ...c.state, status: 'IN_PROGRESS' } })],
    ]);
  });

  it('an expired session can still be disabled', () => {
    const d = decideHppEvent(state('WAITING', HOUR), 'disable', later(2 * HOUR));
    assert.ok(d.ok && d.value.next.status === 'DISABLED');
  });
});

describe('merchant URLs', () => {
  it('fills every placeholder, percent-encoded, and leaves a value it lacks empty', () => {
    const url = 'https://shop.example/done?sid={{session_id}}&order={{order_id}}&token={{authorization_token}}';
    assert.equal(
      fillPlaceholders(url, { session_id: 's 1', order_id: 'a/b?c&d' }),
      'https://shop.example/done?sid=s%201&order=a%2Fb%3Fc%26d&token=',
    );
    assert.equal(fillPlaceholders('https://x/{{session_id}}/{{session_id}}', { session_id: 'abc' }), 'https://x/abc/abc');
  });

  it('are stored with everything outside printable ASCII percent-encoded, placeholders kept', () => {
    assert.deepEqual(storedHppMerchantUrls({ success: 'https://shop.example/kött/€?s={{session_id}}&n=a b\r\n' }), {
      success: 'https://shop.example/k%C3%B6tt/%E2%82%AC?s={{session_id}}&n=a%20b%0D%0A',
    });
  });

  it('are each optional; one given must be an http(s) URL without user info, at most 2,000 characters', () => {
    assert.equal(checkHppMerchantUrls({}), undefined);
    assert.equal(checkHppMerchantUrls({ success: 'https://shop.example/ok/{{order_id}}', status_update: 'http://127.0.0.1:9/cb' }), undefined);
    for (const [urls, field] of [
      [{ success: 'ftp://x' }, 'merchant_urls.success'],
      [{ cancel: '/relative' }, 'merchant_urls.cancel'],
      [{ status_update: 'https://user:pw@x/' }, 'merchant_urls.status_update'],
      [{ back: `https://x/${'a'.repeat(2000)}` }, 'merchant_urls.back'],
    ] as const) {
      const d = checkHppMerchantUrls(urls);
      assert.ok(d && d.code === 'BAD_VALUE' && d.message.includes(field), `${JSON.stringify(urls)}: ${JSON.stringify(d)}`);
    }
  });
});

describe('distribution', () => {
  it('needs the contact its method sends to', () => {
    assert.match(decideDistribution(state('WAITING'), 'email', { phone: '+46701234567' }, later(1))?.message ?? '', /contact_information\.email/);
    assert.match(decideDistribution(state('WAITING'), 'sms', { email: 'a@example.com' }, later(1))?.message ?? '', /contact_information\.phone/);
    assert.equal(decideDistribution(state('IN_PROGRESS'), 'sms', { phone: '+46701234567' }, later(1)), undefined);
  });

  it('is refused for a session whose link no longer works', () => {
    assert.equal(decideDistribution(state('COMPLETED'), 'email', { email: 'a@example.com' }, later(1))?.code, 'NOT_ALLOWED');
    assert.equal(decideDistribution(state('WAITING', HOUR), 'email', { email: 'a@example.com' }, later(HOUR))?.code, 'NOT_ALLOWED');
  });
});
