// One order in the portal, and its actions, over HTTP on both stores: the same command path as the
// API (same rules, same events), amounts typed in major units, refusals shown, 404s.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { call, capture, createMerchant, createOrder, describeOnBothStores, getOrder, ordersUrl, type TestApp } from '../support/harness.js';
import { fieldValue, portalLogin } from '../support/portal.js';

const eventsOf = (t: TestApp, orderId: string) =>
  t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();

describeOnBothStores('portal order page and actions', (ctx) => {
  it('shows amounts, lines, addresses, captures, refunds and a timeline with correlation ids', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant, { merchant_reference1: 'ORDER-9' });
    await capture(t, merchant, order.order_id, { captured_amount: 4_000, reference: 'ship-1' }, { 'klarna-correlation-id': 'corr-capture-1', 'klarna-idempotency-key': 'api-key-1' });
    await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/refunds'), auth: merchant, body: { refunded_amount: 1_500 } });
    const client = await portalLogin(t, merchant);
    const res = await client.get(`/portal/orders/${order.order_id}`);
    assert.equal(res.statusCode, 200);
    for (const text of ['100,00\u00a0kr', '40,00\u00a0kr', '15,00\u00a0kr', 'Tomatoes', 'Testgatan 10', 'Vetlanda', 'ship-1', 'ORDER-9', 'Part captured']) {
      assert.ok(res.body.includes(text), text);
    }
    assert.match(res.body, /Order created for 100,00\u00a0kr/);
    assert.match(res.body, /Captured 40,00\u00a0kr/);
    assert.match(res.body, /Refunded 15,00\u00a0kr/);
    assert.match(res.body, /Captured: 0,00\u00a0kr → 40,00\u00a0kr/);
    assert.match(res.body, /Correlation id <span class="mono">corr-capture-1<\/span> · Idempotency key <span class="mono">api-key-1<\/span>/);
    for (const label of ['Capture', 'Refund', 'Cancel', 'Release remaining', 'Extend authorization']) {
      assert.ok(res.body.includes(`>${label}</button>`), label);
    }
  });

  it('captures and refunds amounts typed in major units through the command path, recording the same events as the API', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    const confirm = await client.confirmation(order.order_id, 'capture', '12,5');
    assert.match(confirm.body, /Capture 12,50\u00a0kr on order/);
    assert.equal(fieldValue(confirm.body, 'minor_amount'), '1250');
    assert.match(confirm.body, />Confirm<\/button>/);
    const captured = await client.post(`/portal/orders/${order.order_id}/capture`, client.confirmFields(confirm.body));
    assert.equal(captured.statusCode, 303);
    assert.equal(captured.headers.location, `/portal/orders/${order.order_id}?done=capture`);
    assert.match((await client.get(captured.headers.location as string)).body, /role="status">Capture created\./);
    assert.equal((await client.act(order.order_id, 'refund', '2.25')).statusCode, 303);
    assert.equal((await client.act(order.order_id, 'refund', '0,25')).statusCode, 303);
    const after = await getOrder(t, merchant, order.order_id);
    assert.equal(after.captured_amount, 1_250);
    assert.equal(after.refunded_amount, 250);
    const events = await eventsOf(t, order.order_id);
    assert.deepEqual(events.map((e) => e.type), ['ORDER_CREATED', 'CAPTURE_CREATED', 'REFUND_CREATED', 'REFUND_CREATED']);
    assert.match(events[1]?.idempotency_key ?? '', /^portal-/);
    assert.notEqual(events[1]?.correlation_id, events[2]?.correlation_id);
    const jobs = await t.store.db.selectFrom('jobs').select('kind').where('order_id', '=', order.order_id).execute();
    assert.ok(jobs.some((j) => j.kind === 'expiry'));
    const metrics = await call(t, { method: 'GET', url: '/metrics', auth: 'admin' });
    assert.match(metrics.body, /openom_commands_total\{operation="POST \/portal\/orders\/:order_id\/capture",outcome="applied",code=""[^}]*\} 1/);
  });

  it('a double submit of one confirmation form captures once', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    const confirm = await client.confirmation(order.order_id, 'capture', '10');
    const fields = client.confirmFields(confirm.body);
    const [a, b] = await Promise.all([client.post(`/portal/orders/${order.order_id}/capture`, fields), client.post(`/portal/orders/${order.order_id}/capture`, fields)]);
    assert.equal(a.statusCode, 303);
    assert.equal(b.statusCode, 303);
    assert.equal((await getOrder(t, merchant, order.order_id)).captured_amount, 1_000);
    assert.equal((await eventsOf(t, order.order_id)).filter((e) => e.type === 'CAPTURE_CREATED').length, 1);
  });

  it('shows Klarna\'s refusal message on the page, with the refusal status, and changes nothing', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    // Refused by the command itself: the authorization lapsed (the clock moved, the order did not) after the confirmation was shown.
    const confirm = await client.confirmation(order.order_id, 'capture', '10');
    assert.equal(confirm.statusCode, 200);
    assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: merchant, body: { seconds: 29 * 86_400 } })).statusCode, 200);
    const lapsed = await client.post(`/portal/orders/${order.order_id}/capture`, client.confirmFields(confirm.body));
    assert.equal(lapsed.statusCode, 403);
    assert.match(lapsed.body, /role="alert"><strong>Refused:<\/strong> Capture not allowed: the authorization has expired\./);
    assert.equal((await getOrder(t, merchant, order.order_id)).captured_amount, 0);
  });

  it('refuses an action the order does not allow before any confirmation, with the reason its decision gives (403)', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    const release = await client.confirmation(order.order_id, 'release');
    assert.equal(release.statusCode, 403);
    assert.match(release.body, /role="alert"><strong>Refused:<\/strong> Order has no captures\. Remaining authorization cannot be released; cancel the order instead\./);
    assert.doesNotMatch(release.body, />Confirm<\/button>/);
    assert.equal((await client.act(order.order_id, 'cancel')).statusCode, 303);
    const afterCancel = await client.act(order.order_id, 'capture', '1');
    assert.equal(afterCancel.statusCode, 403);
    assert.match(afterCancel.body, /Capture not allowed: the order is cancelled\./);
    const refund = await client.act(order.order_id, 'refund', '1');
    assert.equal(refund.statusCode, 403);
    const after = await getOrder(t, merchant, order.order_id);
    assert.equal(after.status, 'CANCELLED');
    assert.equal(after.captured_amount, 0);
  });

  it('release remaining and extend authorization go through the same rules as the API', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    const before = (await getOrder(t, merchant, order.order_id)).expires_at as string;
    const confirm = await client.confirmation(order.order_id, 'extend');
    assert.match(confirm.body, /after this, at /);
    assert.equal((await client.act(order.order_id, 'extend')).statusCode, 303);
    assert.ok(((await getOrder(t, merchant, order.order_id)).expires_at as string) >= before);
    assert.equal((await client.act(order.order_id, 'capture', '30')).statusCode, 303);
    assert.equal((await client.act(order.order_id, 'release')).statusCode, 303);
    const after = await getOrder(t, merchant, order.order_id);
    assert.equal(after.status, 'CAPTURED');
    assert.equal(after.remaining_authorized_amount, 0);
    const types = (await eventsOf(t, order.order_id)).map((e) => e.type);
    assert.deepEqual(types, ['ORDER_CREATED', 'AUTHORIZATION_EXTENDED', 'CAPTURE_CREATED', 'REMAINING_AUTHORIZATION_RELEASED']);
  });

  it('a bad amount is an error message beside its field (400), never a 5xx, and nothing is captured', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const yen = await createOrder(t, merchant, { purchase_country: 'JP', purchase_currency: 'JPY', locale: 'ja-JP' }, 5_000);
    const client = await portalLogin(t, merchant);
    const cases: [string, RegExp][] = [
      ['abc', /&quot;abc&quot; is not an amount: type it as this page shows amounts, for example 12,50 or 1 234,50\./],
      ['1.234,50', /is not an amount/],
      ['-5', /is not an amount/],
      ['1e3', /is not an amount/],
      ['12.345', /SEK amounts have at most 2 decimals\./],
      ['0,00', /The amount must be more than zero\./],
      ['', /Enter an amount in SEK/],
      ['100,01', /You can capture at most 100,00\u00a0kr: that is what remains authorized\./],
      ['99999999999999', /The amount must be at most 2\u00a0000\u00a0000,00\u00a0kr\./],
    ];
    for (const [amount, message] of cases) {
      const res = await client.confirmation(order.order_id, 'capture', amount);
      assert.equal(res.statusCode, 400, amount);
      assert.match(res.body, message, amount);
      assert.match(res.body, /id="capture-amount" name="amount"[^>]*aria-invalid="true"/, amount);
      assert.doesNotMatch(res.body, />Confirm<\/button>/, amount);
    }
    const version = await client.versionOf(order.order_id);
    for (const minor_amount of ['1.5', '-1', '', 'abc']) {
      const tampered = await client.post(`/portal/orders/${order.order_id}/capture`, { minor_amount, version, idempotency_key: `k-tampered-${minor_amount}` });
      assert.equal(tampered.statusCode, 400, minor_amount);
    }
    assert.equal((await getOrder(t, merchant, order.order_id)).captured_amount, 0);
    const yenDecimals = await client.confirmation(yen.order_id, 'capture', '1.5');
    assert.match(yenDecimals.body, /JPY amounts have no decimals\./);
    assert.equal((await client.act(yen.order_id, 'capture', '1200')).statusCode, 303);
    assert.equal((await getOrder(t, merchant, yen.order_id)).captured_amount, 1_200);
  });

  it('another merchant\'s order, an unknown id and a malformed id are a 404 page, for viewing and for actions', async () => {
    const t = ctx();
    const owner = await createMerchant(t);
    const order = await createOrder(t, owner);
    const other = await portalLogin(t, await createMerchant(t));
    const urls = [`/portal/orders/${order.order_id}`, `/portal/orders/${order.order_id}/capture?amount=1`, '/portal/orders/7c4b3a9e-1111-4111-8111-111111111111', '/portal/orders/not-an-id', '/portal/nothing-here'];
    for (const url of urls) {
      const res = await other.get(url);
      assert.equal(res.statusCode, 404, url);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.match(res.body, /<h1>Not found<\/h1>/);
    }
    const post = await other.post(`/portal/orders/${order.order_id}/capture`, { minor_amount: '1', version: '1', idempotency_key: 'k-other' });
    assert.equal(post.statusCode, 404);
    const cancel = await other.post(`/portal/orders/${order.order_id}/cancel`, { version: '1', idempotency_key: 'k-other-cancel' });
    assert.equal(cancel.statusCode, 404);
    assert.equal((await getOrder(t, owner, order.order_id)).status, 'AUTHORIZED');
  });
});

describeOnBothStores('portal sandbox clock', (ctx) => {
  it('every page shows the merchant clock, and "Advance clock" moves it as the sandbox API does', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const client = await portalLogin(t, merchant);
    const version = await client.versionOf(order.order_id);
    for (const url of ['/portal/orders', `/portal/orders/${order.order_id}`, `/portal/orders/${order.order_id}/cancel?version=${version}`]) {
      const res = await client.get(url);
      assert.match(res.body, /Sandbox clock:/, url);
      assert.match(res.body, />Advance clock<\/button>/, url);
    }
    const res = await client.post('/portal/clock/advance', { amount: '29', unit: 'days', return_to: `/portal/orders/${order.order_id}` });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/portal/orders/${order.order_id}`);
    const clock = (await call(t, { method: 'GET', url: '/sandbox/v1/clock', auth: merchant })).json() as { offset_seconds: number };
    assert.equal(clock.offset_seconds, 29 * 86_400);
    const page = await client.get(`/portal/orders/${order.order_id}`);
    assert.match(page.body, /29 days ahead of real time/);
    assert.match(page.body, /class="badge EXPIRED"/);
    for (const fields of [{ amount: '0', unit: 'days' }, { amount: '366', unit: 'days' }, { amount: '1', unit: 'weeks' }, { amount: 'x', unit: 'seconds' }]) {
      assert.equal((await client.post('/portal/clock/advance', fields)).statusCode, 400, JSON.stringify(fields));
    }
    const offsite = await client.post('/portal/clock/advance', { amount: '1', unit: 'seconds', return_to: '//evil.example/' });
    assert.equal(offsite.headers.location, '/portal/orders');
  });
});

describeOnBothStores(
  'portal in production mode',
  (ctx) => {
    it('works without the sandbox clock, whose control does not exist', async () => {
      const t = ctx();
      const merchant = await createMerchant(t);
      const client = await portalLogin(t, merchant);
      const res = await client.get('/portal/orders');
      assert.equal(res.statusCode, 200);
      assert.doesNotMatch(res.body, /Sandbox clock/);
      assert.equal((await client.post('/portal/clock/advance', { amount: '1', unit: 'days' })).statusCode, 404);
    });
  },
  { OPENOM_MODE: 'production' },
);
