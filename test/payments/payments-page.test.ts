// The hosted test payment page and the drop-in api.js over HTTP (CONTRACT §14): the page's buttons
// authorize the session exactly as the headless call does, its result is handed to api.js by a
// script its CSP allows by hash, and the script itself is served to any page.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { call, createMerchant, describeOnBothStores, type MerchantCredentials } from '../support/harness.js';
import { KLARNA, createSession, placeOrder } from '../support/payments.js';

const form = (outcome: string) => ({ 'content-type': 'application/x-www-form-urlencoded' as const, payload: `outcome=${outcome}` });

describeOnBothStores(
  'Klarna Payments hosted test page',
  (ctx) => {
    let m: MerchantCredentials;
    it('setup: a merchant', async () => {
      m = await createMerchant(ctx(), 'Page AB');
    });

    it('shows the cart and the three answers, may be framed, and allows only its own style and script', async () => {
      const { session_id } = await createSession(ctx(), m);
      const res = await ctx().app.inject({ method: 'GET', url: `/sandbox/payments/${session_id}` });
      assert.equal(res.statusCode, 200);
      for (const label of ['>Approve<', '>Pending<', '>Deny<', 'Tomatoes', '100,00']) assert.ok(res.body.includes(label), label);
      assert.equal(res.headers['x-frame-options'], undefined);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'/);
      assert.doesNotMatch(res.body, /<script>/, 'no script before an answer');
    });

    it("Approve authorizes the session and hands the token to the page's opener with a script the CSP allows", async () => {
      const { session_id } = await createSession(ctx(), m);
      const { payload, ...headers } = form('accepted');
      const res = await ctx().app.inject({ method: 'POST', url: `/sandbox/payments/${session_id}/authorize`, headers, payload });
      assert.equal(res.statusCode, 200, res.body);
      const token = /data-token="([0-9a-f-]{36})"/.exec(res.body)?.[1];
      assert.ok(token, res.body);
      const script = /<script>([\s\S]*?)<\/script>/.exec(res.body)?.[1] ?? '';
      const hash = createHash('sha256').update(script).digest('base64');
      assert.ok(String(res.headers['content-security-policy']).includes(`script-src 'sha256-${hash}'`));
      assert.equal((await placeOrder(ctx(), m, token)).statusCode, 200);
      const done = await ctx().app.inject({ method: 'GET', url: `/sandbox/payments/${session_id}` });
      assert.match(done.body, /This payment is complete/);
      assert.doesNotMatch(done.body, />Approve</);
    });

    it('Deny hands {approved: false} over and keeps the answers on the page; an unknown session is the page’s 404', async () => {
      const { session_id } = await createSession(ctx(), m);
      const { payload, ...headers } = form('declined');
      const res = await ctx().app.inject({ method: 'POST', url: `/sandbox/payments/${session_id}/authorize`, headers, payload });
      assert.match(res.body, /data-approved="false"/);
      assert.match(res.body, />Approve</);
      const missing = await ctx().app.inject({ method: 'GET', url: '/sandbox/payments/not-a-session' });
      assert.equal(missing.statusCode, 404);
      assert.match(missing.body, /cannot be found/);
    });

    it('api.js is served as JavaScript and defines Klarna.Payments init, load and authorize', async () => {
      const res = await call(ctx(), { method: 'GET', url: '/sandbox/payments/lib/v1/api.js' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/javascript/);
      const window: Record<string, unknown> = {};
      const document = { currentScript: { src: 'http://openom.test/sandbox/payments/lib/v1/api.js' } };
      new Function('window', 'document', res.body)(window, document);
      const payments = (window.Klarna as { Payments: Record<string, unknown> }).Payments;
      assert.deepEqual(Object.keys(payments).sort(), ['authorize', 'init', 'load']);
      assert.throws(() => (payments.init as (o: unknown) => void)({ client_token: 'nonsense' }), /client_token/);
    });
  },
  KLARNA,
);
