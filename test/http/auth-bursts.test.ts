// Failed-login bursts (CONTRACT §2 auth, README hardening): an attempt counts against its address's
// limit from the moment it starts, so a burst of concurrent wrong passwords cannot all run scrypt
// before the first has failed; scrypt work is shared out fairly, so a burst cannot make another
// merchant's login wait behind it; concurrent requests with the same credentials are one attempt.
// An address over its limit is refused before the credential cache is read; a request without
// credentials (.NET's HttpClient asks first) is challenged but is no failed login.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { captureLogs } from '../support/capturedLogs.js';
import { ADMIN_TOKEN, createMerchant, createOrder, describeOnBothStores, errorOf, ordersUrl, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { postLogin } from '../support/portal.js';

const LIMIT = 20;
const logs = captureLogs();
const UNKNOWN_ORDER = '6f1c2a0e-3b4d-4c5e-8f90-123456789abc';
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function login(t: TestApp, authorization: string, remoteAddress: string, url = ordersUrl(UNKNOWN_ORDER)): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url, headers: { authorization }, remoteAddress });
}

/** Status → how many responses had it. */
function tally(responses: LightMyRequestResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
  return counts;
}

describeOnBothStores(
  'failed-login bursts',
  (ctx) => {
    let target: MerchantCredentials;
    before(async () => {
      target = await createMerchant(ctx(), 'Target AB');
      // As on a server that has been up a while: the decoy hash for unknown usernames exists.
      assert.equal((await login(ctx(), basic('PK00000_nobody', 'x'), '10.3.9.9')).statusCode, 401);
    });

    after(() => assert.deepEqual(logs.errors(), [], 'failed logins are no server error'));

    it(`150 concurrent wrong passwords from one address: ${LIMIT} are checked (401), the other 130 get 429 without being checked`, async () => {
      const burst = await Promise.all(Array.from({ length: 150 }, (_, i) => login(ctx(), basic(target.username, `wrong-${i}`), '10.3.0.1')));
      assert.deepEqual(tally(burst), { 401: LIMIT, 429: 150 - LIMIT });
      for (const r of burst.filter((r) => r.statusCode === 429)) {
        assert.equal(errorOf(r).error_code, 'TOO_MANY_REQUESTS');
        assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After ${String(r.headers['retry-after'])}`);
      }
    });

    it('the same right credentials sent 60 times at once from one address (a cold cache) are one attempt: all let in', async () => {
      const merchant = await createMerchant(ctx(), 'Eager Client AB');
      const burst = await Promise.all(Array.from({ length: 60 }, () => login(ctx(), basic(merchant.username, merchant.password), '10.3.0.2')));
      assert.deepEqual(tally(burst), { 404: 60 });
    });

    it('a burst of wrong logins from many addresses does not make another merchant\'s first login wait behind it', async () => {
      const bystander = await createMerchant(ctx(), 'Bystander AB');
      const answered: string[] = [];
      const track = (who: string, res: Promise<LightMyRequestResponse>) =>
        res.then((r) => {
          answered.push(`${who}:${r.statusCode}`);
          return r;
        });
      // Username spraying: every attempt another (unknown) name, from another address.
      const burst = Array.from({ length: 60 }, (_, i) => track('burst', login(ctx(), basic(`PK99999_spray${i}`, 'guess'), `10.4.${i}.1`)));
      const own = await track('bystander', login(ctx(), basic(bystander.username, bystander.password), '10.5.0.1'));
      await Promise.all(burst);
      assert.equal(own.statusCode, 404, own.body);
      // Every 401 of the burst ran scrypt; the bystander's check must not have queued behind most of them.
      const checked = answered.filter((a) => a === 'burst:401');
      const checkedAfter = answered.slice(answered.indexOf('bystander:404')).filter((a) => a === 'burst:401');
      assert.ok(checked.length > 0);
      assert.ok(checkedAfter.length >= checked.length / 2, `the bystander was answered after ${checked.length - checkedAfter.length} of ${checked.length} checked attempts: ${answered.join(' ')}`);
    });

    it(`an address over its limit gets 429 for every attempt, a right password still cached included (API and portal login); another address is let in`, async () => {
      const t = ctx();
      const merchant = await createMerchant(t, 'Cached AB');
      const right = basic(merchant.username, merchant.password);
      // The right password is checked once, so it sits in the credential cache.
      assert.equal((await login(t, right, '10.6.0.1')).statusCode, 404);
      for (let i = 0; i < LIMIT; i++) assert.equal((await login(t, basic(merchant.username, `guess-${i}`), '10.6.0.1')).statusCode, 401);
      const throttled = await login(t, right, '10.6.0.1');
      assert.equal(throttled.statusCode, 429, throttled.body);
      assert.ok(Number(throttled.headers['retry-after']) > 1, `Retry-After ${String(throttled.headers['retry-after'])}: until the window ends`);
      const portal = await postLogin(t, merchant.username, merchant.password, '10.6.0.1');
      assert.equal(portal.statusCode, 429, portal.body);
      assert.equal((await login(t, right, '10.6.0.2')).statusCode, 404);
      assert.equal((await postLogin(t, merchant.username, merchant.password, '10.6.0.3')).statusCode, 303);
    });

    it(".NET's HttpClient pattern, each request first without credentials and then with Basic: 100 calls in a minute all succeed, none is a failed login", async () => {
      const t = ctx();
      const merchant = await createMerchant(t, 'DotNet AB');
      const orderId = (await createOrder(t, merchant)).order_id;
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) {
        const challenge = await t.app.inject({ method: 'GET', url: ordersUrl(orderId), remoteAddress: '10.7.0.1' });
        assert.equal(challenge.statusCode, 401, challenge.body);
        assert.equal(challenge.headers['www-authenticate'], 'Basic realm="OpenOM"');
        statuses.push((await login(t, basic(merchant.username, merchant.password), '10.7.0.1', ordersUrl(orderId))).statusCode);
      }
      assert.deepEqual(new Set(statuses), new Set([200]));
      // The 200 challenges used up nothing: the address still has all its failed logins left.
      for (let i = 0; i < LIMIT; i++) assert.equal((await login(t, basic(merchant.username, `typo-${i}`), '10.7.0.1')).statusCode, 401);
      assert.equal((await login(t, basic(merchant.username, 'typo'), '10.7.0.1')).statusCode, 429);
    });

    it('the admin API too: requests without a token are challenged, not counted', async () => {
      const t = ctx();
      for (let i = 0; i < LIMIT + 10; i++) assert.equal((await t.app.inject({ method: 'GET', url: '/admin/v1/merchants', remoteAddress: '10.7.0.2' })).statusCode, 401);
      const res = await t.app.inject({ method: 'GET', url: '/admin/v1/merchants', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, remoteAddress: '10.7.0.2' });
      assert.equal(res.statusCode, 200, res.body);
    });
  },
  { OPENOM_AUTH_FAILURE_LIMIT: String(LIMIT), OPENOM_AUTH_FAILURE_WINDOW_MS: '60000' },
  logs.logger,
);
