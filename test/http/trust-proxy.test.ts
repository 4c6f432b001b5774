// OPENOM_TRUST_PROXY_HOPS: behind a load balancer every connection comes from the balancer, so
// failed logins are counted per X-Forwarded-For client, not for everyone at once; without the
// setting a client cannot dodge the throttle by writing that header itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/harness.js';

const BALANCER = '172.18.0.5';
const path = '/ordermanagement/v1/orders/00000000-0000-4000-8000-000000000000';

/** A failed login (an unknown username each time, so only the per-address count can throttle). */
let attempt = 0;
async function failedLogin(t: TestApp, forwardedFor: string): Promise<number> {
  const authorization = `Basic ${Buffer.from(`nobody${attempt++}:wrong`).toString('base64')}`;
  const res = await t.app.inject({ method: 'GET', url: path, headers: { authorization, 'x-forwarded-for': forwardedFor }, remoteAddress: BALANCER });
  return res.statusCode;
}

for (const hops of [1, 0]) {
  describe(`failed logins behind a load balancer, OPENOM_TRUST_PROXY_HOPS=${hops}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp('sqlite', { OPENOM_AUTH_FAILURE_LIMIT: '2', OPENOM_TRUST_PROXY_HOPS: String(hops) });
    });
    after(async () => t.close());

    it(hops ? 'are counted per forwarded client: one client throttled, another not' : 'are counted per connection address: the forwarded header is ignored', async () => {
      assert.equal(await failedLogin(t, '203.0.113.1'), 401);
      assert.equal(await failedLogin(t, '203.0.113.1'), 401);
      assert.equal(await failedLogin(t, '203.0.113.1'), 429);
      // A forged entry in front of the one the balancer appended changes nothing.
      assert.equal(await failedLogin(t, '198.51.100.7, 203.0.113.1'), 429);
      assert.equal(await failedLogin(t, '203.0.113.2'), hops ? 401 : 429);
    });
  });
}
