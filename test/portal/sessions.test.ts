// Portal sessions and cross-site protection over real HTTP on both stores.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { call, createMerchant, createOrder, describeOnBothStores, getOrder } from '../support/harness.js';
import { FORM, cookieFrom, loginForm, portalLogin, postLogin, sessionHashOf } from '../support/portal.js';

describeOnBothStores('portal sessions', (ctx) => {
  it('an unauthenticated page redirects to the login page, which has labelled Username and Password fields and a Log in button', async () => {
    const t = ctx();
    for (const url of ['/portal', '/portal/orders', '/portal/orders/00000000-0000-4000-8000-000000000000']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, url === '/portal' ? '/portal/orders' : '/portal/login');
    }
    const login = await t.app.inject({ method: 'GET', url: '/portal/login' });
    assert.match(login.headers['content-type'] as string, /^text\/html/);
    assert.match(login.body, /<label for="username">Username<\/label>\s*<input id="username"/);
    assert.match(login.body, /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
    assert.match(login.body, /<button type="submit">Log in<\/button>/);
    assert.equal(login.headers['content-security-policy'], "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  });

  it('logging in sets an HttpOnly, SameSite=Strict session cookie and stores only the SHA-256 of its token', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const res = await postLogin(t, merchant.username, merchant.password);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/portal/orders');
    const line = ([res.headers['set-cookie']].flat() as string[]).find((c) => c.startsWith('openom_portal='));
    assert.match(line ?? '', /; Path=\/portal; Max-Age=28800; HttpOnly; SameSite=Strict$/, 'no Secure over plain HTTP');
    const token = cookieFrom(res, 'openom_portal') ?? '';
    const rows = await t.store.db.selectFrom('portal_sessions').selectAll().where('merchant_id', '=', merchant.merchant_id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.session_hash, sessionHashOf(token));
    assert.notEqual(rows[0]?.csrf_token, '');
    const page = await t.app.inject({ method: 'GET', url: '/portal/orders', headers: { cookie: `openom_portal=${token}` } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Log out/);
    assert.ok(page.body.includes(merchant.username));
  });

  it('a wrong password shows an error on the login page and starts no session', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const res = await postLogin(t, merchant.username, 'wrong-password', '10.0.0.7');
    assert.equal(res.statusCode, 401);
    assert.match(res.body, /Wrong username or password\./);
    assert.equal(cookieFrom(res, 'openom_portal'), undefined);
  });

  it('a session works on another instance sharing the store (nothing is kept in memory)', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    const other = await buildApp({ config: t.config, store: t.store, readiness: { migrated: true }, adminTokenDigest: () => undefined });
    try {
      const res = await other.inject({ method: 'GET', url: `/portal/orders/${order.order_id}`, headers: { cookie: client.cookie } });
      assert.equal(res.statusCode, 200);
      assert.ok(res.body.includes(order.klarna_reference as string));
    } finally {
      await other.close();
    }
  });

  it('"Log out" deletes the session: the old cookie then leads to the login page', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const client = await portalLogin(t, merchant);
    const res = await client.post('/portal/logout', {});
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/portal/login');
    const rows = await t.store.db.selectFrom('portal_sessions').select('session_hash').where('session_hash', '=', sessionHashOf(client.token)).execute();
    assert.equal(rows.length, 0);
    assert.equal((await client.get('/portal/orders')).headers.location, '/portal/login');
  });

  it('an expired session leads to the login page', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const client = await portalLogin(t, merchant);
    await t.store.db.updateTable('portal_sessions').set({ expires_at: Date.now() - 1 }).where('session_hash', '=', sessionHashOf(client.token)).execute();
    const res = await client.get('/portal/orders');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/portal/login');
  });

  it('a login post without the login form token, or from another origin, is refused', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const creds = { username: merchant.username, password: merchant.password };
    const noToken = await t.app.inject({ method: 'POST', url: '/portal/login', headers: { 'content-type': FORM }, payload: new URLSearchParams(creds).toString() });
    assert.equal(noToken.statusCode, 403);
    const form = await loginForm(t);
    const crossSite = await t.app.inject({
      method: 'POST',
      url: '/portal/login',
      headers: { cookie: form.cookie, 'content-type': FORM, origin: 'https://evil.example' },
      payload: new URLSearchParams({ login_token: form.token, ...creds }).toString(),
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(cookieFrom(crossSite, 'openom_portal'), undefined);
  });
});

describeOnBothStores('portal cross-site request protection', (ctx) => {
  const captureForm = async (t: ReturnType<typeof ctx>) => {
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    const confirm = await client.confirmation(order.order_id, 'capture', '10.00');
    return { merchant, order, client, url: `/portal/orders/${order.order_id}/capture`, fields: client.confirmFields(confirm.body) };
  };

  it('a post without the session CSRF token, with a wrong one or with another session\'s is refused and changes nothing', async () => {
    const t = ctx();
    const { merchant, order, client, url, fields: form } = await captureForm(t);
    const otherSession = await portalLogin(t, merchant);
    const attempts: Record<string, string>[] = [form, { ...form, csrf_token: 'forged' }, { ...form, csrf_token: otherSession.csrf }];
    for (const fields of attempts) {
      const res = await t.app.inject({ method: 'POST', url, headers: { cookie: client.cookie, 'content-type': FORM }, payload: new URLSearchParams(fields).toString() });
      assert.equal(res.statusCode, 403, JSON.stringify(fields));
      assert.match(res.body, /Refused/);
    }
    assert.equal((await getOrder(t, merchant, order.order_id)).captured_amount, 0);
  });

  it('a post the browser marks as cross-site (Sec-Fetch-Site, Origin) is refused even with the right token', async () => {
    const t = ctx();
    const { merchant, order, client, url, fields } = await captureForm(t);
    const crossSite: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }];
    for (const headers of crossSite) {
      const res = await client.post(url, fields, headers);
      assert.equal(res.statusCode, 403, JSON.stringify(headers));
    }
    assert.equal((await getOrder(t, merchant, order.order_id)).captured_amount, 0);
    const sameOrigin = await client.post(url, fields, { 'sec-fetch-site': 'same-origin', origin: 'http://localhost:80' });
    assert.equal(sameOrigin.statusCode, 303);
    assert.equal((await getOrder(t, merchant, order.order_id)).captured_amount, 1000);
  });
});

describeOnBothStores(
  'portal login throttling, shared with the API',
  (ctx) => {
    // Failures throttle further wrong passwords for the username, but never lock out the right one.
    it('failed portal logins throttle the username on the portal and on the API alike; the right password still gets in', async () => {
      const t = ctx();
      const merchant = await createMerchant(t);
      for (let i = 0; i < 3; i++) assert.equal((await postLogin(t, merchant.username, 'wrong', `10.1.0.${i}`)).statusCode, 401);
      const portal = await postLogin(t, merchant.username, 'wrong-again', '10.1.1.1');
      assert.equal(portal.statusCode, 429);
      assert.match(portal.body, /Too many failed logins/);
      assert.ok(Number(portal.headers['retry-after']) >= 1);
      const clock = (password: string, remoteAddress: string) =>
        t.app.inject({
          method: 'GET',
          url: '/sandbox/v1/clock',
          remoteAddress,
          headers: { authorization: `Basic ${Buffer.from(`${merchant.username}:${password}`).toString('base64')}` },
        });
      assert.equal((await clock('wrong-again', '10.1.1.2')).statusCode, 429);
      assert.equal((await clock(merchant.password, '10.1.1.3')).statusCode, 200);
      assert.equal((await postLogin(t, merchant.username, merchant.password, '10.1.1.4')).statusCode, 303);
    });

    it('failed API logins throttle the portal login of that username; the right password still gets in', async () => {
      const t = ctx();
      const merchant = await createMerchant(t);
      for (let i = 0; i < 3; i++) {
        const res = await call(t, { method: 'GET', url: '/sandbox/v1/clock', auth: { ...merchant, password: 'wrong' } });
        assert.equal(res.statusCode, 401);
      }
      assert.equal((await postLogin(t, merchant.username, 'wrong-again', '10.2.0.1')).statusCode, 429);
      assert.equal((await postLogin(t, merchant.username, merchant.password, '10.2.0.2')).statusCode, 303);
    });
  },
  { OPENOM_AUTH_FAILURE_LIMIT: '3' },
);
