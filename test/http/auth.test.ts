// Merchant Basic auth and admin Bearer auth (CONTRACT §2, §3): every failure is a 401 with the
// Basic challenge and the Klarna error body; merchants see only their own orders; failed logins
// are throttled.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import {
  ADMIN_TOKEN,
  call,
  createMerchant,
  createOrder,
  describeOnBothStores,
  errorOf,
  ordersUrl,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';

const UNKNOWN_ORDER = '6f1c2a0e-3b4d-4c5e-8f90-123456789abc';
const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

function assertUnauthorized(res: LightMyRequestResponse, challenge = 'Basic realm="OpenOM"'): void {
  assert.equal(res.statusCode, 401, res.body);
  assert.equal(res.headers['www-authenticate'], challenge);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const err = errorOf(res);
  assert.equal(err.error_code, 'UNAUTHORIZED');
  assert.ok(err.error_messages.length > 0);
}

async function getWith(t: TestApp, url: string, authorization?: string, remoteAddress?: string) {
  return t.app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization }, ...(remoteAddress ? { remoteAddress } : {}) });
}

describeOnBothStores('auth', (ctx) => {
  let shop: MerchantCredentials;
  let other: MerchantCredentials;
  let shopOrderId: string;

  before(async () => {
    shop = await createMerchant(ctx(), 'Shop AB');
    other = await createMerchant(ctx(), 'Other AB');
    shopOrderId = (await createOrder(ctx(), shop)).order_id;
  });

  it('the right Basic credentials read the merchant\'s own order', async () => {
    const res = await call(ctx(), { method: 'GET', url: ordersUrl(shopOrderId), auth: shop });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { order_id: string }).order_id, shopOrderId);
  });

  it('the Basic scheme name is case-insensitive', async () => {
    const res = await getWith(ctx(), ordersUrl(shopOrderId), `basic ${Buffer.from(`${shop.username}:${shop.password}`).toString('base64')}`);
    assert.equal(res.statusCode, 200, res.body);
  });

  it('no Authorization header → 401 with the Basic challenge and the error body', async () => {
    assertUnauthorized(await getWith(ctx(), ordersUrl(shopOrderId)));
  });

  const malformed: [string, string][] = [
    ['an empty header', ''],
    ['the scheme alone', 'Basic'],
    ['not base64', 'Basic !!!not-base64!!!'],
    ['base64 without a colon', basic('usernameonly')],
    ['an empty username', basic(':password')],
    ['another scheme', 'Digest username="x"'],
  ];
  for (const [what, header] of malformed) {
    it(`a malformed Authorization header (${what}) → 401`, async () => {
      assertUnauthorized(await getWith(ctx(), ordersUrl(shopOrderId), header));
    });
  }

  it('a wrong password → 401, even right after the right one was accepted', async () => {
    assert.equal((await call(ctx(), { method: 'GET', url: ordersUrl(shopOrderId), auth: shop })).statusCode, 200);
    assertUnauthorized(await getWith(ctx(), ordersUrl(shopOrderId), basic(`${shop.username}:${shop.password}x`)));
    assertUnauthorized(await getWith(ctx(), ordersUrl(shopOrderId), basic(`${shop.username}:`)));
  });

  it('an unknown username → 401 with the same body as a wrong password', async () => {
    const unknown = await getWith(ctx(), ordersUrl(shopOrderId), basic(`PK00000_nobody:${shop.password}`));
    const wrong = await getWith(ctx(), ordersUrl(shopOrderId), basic(`${shop.username}:wrong-password`));
    assertUnauthorized(unknown);
    assertUnauthorized(wrong);
    assert.deepEqual(errorOf(unknown).error_messages, errorOf(wrong).error_messages);
  });

  it('auth is checked before the order id: a bad login on an unknown order is 401, not 404', async () => {
    assertUnauthorized(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic('x:y')));
    assertUnauthorized(await getWith(ctx(), ordersUrl('not-a-uuid')));
  });

  it('another merchant\'s order id answers exactly like an unknown one: 404 NO_SUCH_ORDER', async () => {
    const foreign = await call(ctx(), { method: 'GET', url: ordersUrl(shopOrderId), auth: other });
    const unknown = await call(ctx(), { method: 'GET', url: ordersUrl(UNKNOWN_ORDER), auth: other });
    assert.equal(foreign.statusCode, 404);
    assert.equal(unknown.statusCode, 404);
    const f = errorOf(foreign);
    const u = errorOf(unknown);
    assert.equal(f.error_code, 'NO_SUCH_ORDER');
    assert.equal(u.error_code, 'NO_SUCH_ORDER');
    assert.deepEqual(
      f.error_messages.map((m) => m.replace(shopOrderId, '<id>')),
      u.error_messages.map((m) => m.replace(UNKNOWN_ORDER, '<id>')),
    );
    assert.deepEqual(Object.keys(foreign.headers).sort(), Object.keys(unknown.headers).sort());
  });

  it('another merchant\'s order is invisible on sub-resources and mutations too', async () => {
    const captures = await call(ctx(), { method: 'GET', url: ordersUrl(shopOrderId, '/captures'), auth: other });
    assert.equal(captures.statusCode, 404);
    assert.equal(errorOf(captures).error_code, 'NO_SUCH_ORDER');
    const cancel = await call(ctx(), { method: 'POST', url: ordersUrl(shopOrderId, '/cancel'), auth: other });
    assert.equal(cancel.statusCode, 404);
    assert.equal(errorOf(cancel).error_code, 'NO_SUCH_ORDER');
    const capture = await call(ctx(), { method: 'POST', url: ordersUrl(shopOrderId, '/captures'), auth: other, body: { captured_amount: 100 } });
    assert.equal(capture.statusCode, 404);
    assert.equal(errorOf(capture).error_code, 'NO_SUCH_ORDER');
    const mine = await call(ctx(), { method: 'GET', url: ordersUrl(shopOrderId), auth: shop });
    assert.equal((mine.json() as { status: string; captured_amount: number }).status, 'AUTHORIZED');
  });

  it('the admin token is not accepted on merchant routes', async () => {
    assertUnauthorized(await getWith(ctx(), ordersUrl(shopOrderId), `Bearer ${ADMIN_TOKEN}`));
    assertUnauthorized(await getWith(ctx(), ordersUrl(shopOrderId), basic(`admin:${ADMIN_TOKEN}`)));
  });

  it('merchant Basic credentials are not accepted on admin routes', async () => {
    const res = await getWith(ctx(), '/admin/v1/merchants', basic(`${shop.username}:${shop.password}`));
    assert.equal(res.statusCode, 401);
    assert.equal(errorOf(res).error_code, 'UNAUTHORIZED');
    const create = await call(ctx(), { method: 'POST', url: '/admin/v1/merchants', auth: shop, body: { name: 'Sneaky' } });
    assert.equal(create.statusCode, 401);
    const intake = await call(ctx(), { method: 'POST', url: `/admin/v1/merchants/${shop.merchant_id}/orders`, auth: shop, body: {} });
    assert.equal(intake.statusCode, 401);
  });

  it('admin routes: missing, wrong or malformed bearer token → 401 with the error body', async () => {
    for (const header of [undefined, 'Bearer', `Bearer ${ADMIN_TOKEN}x`, `Bearer ${ADMIN_TOKEN.slice(0, -1)}`, ADMIN_TOKEN, `Basic ${ADMIN_TOKEN}`]) {
      const res = await getWith(ctx(), '/admin/v1/merchants', header);
      assert.equal(res.statusCode, 401, `${header}: ${res.body}`);
      assert.equal(errorOf(res).error_code, 'UNAUTHORIZED');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="OpenOM admin"');
    }
    const ok = await getWith(ctx(), '/admin/v1/merchants', `Bearer ${ADMIN_TOKEN}`);
    assert.equal(ok.statusCode, 200);
  });
});

const LIMIT = 3;
const throttled = { OPENOM_AUTH_FAILURE_LIMIT: String(LIMIT), OPENOM_AUTH_FAILURE_WINDOW_MS: '60000' };

function assertThrottled(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 429, res.body);
  assert.equal(errorOf(res).error_code, 'TOO_MANY_REQUESTS');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(res.headers['retry-after'])}`);
}

describeOnBothStores(
  'auth: failed-login throttling',
  (ctx) => {
    let shop: MerchantCredentials;
    before(async () => {
      shop = await createMerchant(ctx());
    });

    it(`after ${LIMIT} failures from one address the next attempt gets 429 with Retry-After and the error body`, async () => {
      const ip = '10.0.0.1';
      for (let i = 0; i < LIMIT; i++) assertUnauthorized(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic(`nobody${i}:wrong`), ip));
      assertThrottled(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic('nobody:wrong'), ip));
      // Even the right password from that address waits: the address's limit comes before verification.
      const right = await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic(`${shop.username}:${shop.password}`), ip);
      assert.equal(right.statusCode, 429);
    });

    it('another address is not affected by that address\'s failures', async () => {
      const res = await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic(`${shop.username}:${shop.password}`), '10.0.0.2');
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(errorOf(res).error_code, 'NO_SUCH_ORDER');
    });

    it(`after ${LIMIT} wrong passwords for one username from ${LIMIT} addresses, more wrong ones get 429, but the right password still gets in`, async () => {
      const victim = await createMerchant(ctx(), 'Victim AB');
      for (let i = 0; i < LIMIT; i++) {
        assertUnauthorized(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic(`${victim.username}:guess${i}`), `10.1.0.${i + 1}`));
      }
      assertThrottled(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic(`${victim.username}:guess-again`), '10.1.0.99'));
      // Strangers' failures never lock the merchant out: its right password, from an address of its own, works.
      const res = await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), basic(`${victim.username}:${victim.password}`), '10.1.1.1');
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(errorOf(res).error_code, 'NO_SUCH_ORDER');
    });

    it('a Basic username with U+0000, or not UTF-8, is a failed login: 401, and counted against the address', async () => {
      const ip = '10.6.0.1';
      const nul = `Basic ${Buffer.from(`${shop.username}\u0000:${shop.password}`).toString('base64')}`;
      const notUtf8 = `Basic ${Buffer.concat([Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(`:${shop.password}`)]).toString('base64')}`;
      assertUnauthorized(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), nul, ip));
      assertUnauthorized(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), notUtf8, ip));
      for (let i = 2; i < LIMIT; i++) assertUnauthorized(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), nul, ip));
      assertThrottled(await getWith(ctx(), ordersUrl(UNKNOWN_ORDER), nul, ip));
    });

    it(`admin API: after ${LIMIT} wrong bearer tokens from one address, 429 with Retry-After (also for the right token there); other addresses unaffected`, async () => {
      const ip = '10.8.0.1';
      for (let i = 0; i < LIMIT; i++) {
        const res = await getWith(ctx(), '/admin/v1/merchants', `Bearer wrong-token-${i}`, ip);
        assert.equal(res.statusCode, 401, res.body);
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="OpenOM admin"');
      }
      assertThrottled(await getWith(ctx(), '/admin/v1/merchants', 'Bearer wrong-token', ip));
      assertThrottled(await getWith(ctx(), '/admin/v1/merchants', `Bearer ${ADMIN_TOKEN}`, ip));
      const elsewhere = await getWith(ctx(), '/admin/v1/merchants', `Bearer ${ADMIN_TOKEN}`, '10.8.0.2');
      assert.equal(elsewhere.statusCode, 200, elsewhere.body);
    });
  },
  throttled,
);
