// Every call OpenOM makes to a merchant's server is kept and shown (CONTRACT §15): GET
// /sandbox/v1/calls and the portal's order timeline, against a real shop server with the worker running.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { checkoutBody, complete, createCheckout, merchantUrls } from '../support/checkout.js';
import { call, capture, createMerchant, createOrder, describeOnBothStores, WITH_WORKER, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { expectError } from '../support/orderAssertions.js';
import { portalLogin } from '../support/portal.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { eventually, registerWebhook } from '../support/webhooks.js';

interface CallJson {
  call_id: number;
  kind: string;
  order_id: string | null;
  method: string;
  url: string;
  request_body: string | null;
  response_status: number;
  response_body: string | null;
  error: string | null;
  duration_ms: number;
  called_at: string;
}

const LONG_ANSWER = 'x'.repeat(10_000);

async function callsOf(t: TestApp, m: MerchantCredentials, query = ''): Promise<CallJson[]> {
  const res = await call(t, { method: 'GET', url: `/sandbox/v1/calls${query}`, auth: m });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { calls: CallJson[] }).calls;
}

describeOnBothStores(
  'GET /sandbox/v1/calls',
  (ctx) => {
    let shop: Receiver;
    before(async () => {
      shop = await startReceiver((r) => (r.path.startsWith('/push') ? { status: 200, body: LONG_ANSWER } : r.path.startsWith('/validate') ? { status: 200, body: 'valid' } : 202));
    });
    after(async () => shop?.close());

    it('lists the validation callback, the push and a webhook delivery with bodies, statuses and times; filters by order and kind', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const hook = await registerWebhook(t, m, `${shop.origin}/hooks?token=s3cret`, ['capture.created']);
      const urls = merchantUrls(shop.origin, { validation: `${shop.origin}/validate?sid={checkout.order.id}` });
      const order = await createCheckout(t, m, checkoutBody({ merchant_urls: urls }));
      assert.equal((await complete(t, m, order.order_id, 'accepted')).statusCode, 200);
      assert.equal((await call(t, { method: 'POST', url: `/sandbox/v1/orders/${order.order_id}/push`, auth: m })).statusCode, 204);
      assert.equal((await capture(t, m, order.order_id, { captured_amount: 10_000 })).statusCode, 201);
      const calls = await eventually('three calls recorded', async () => {
        const found = await callsOf(t, m);
        return found.length >= 3 ? found : undefined;
      });
      assert.ok(hook.webhook_id);

      const byKind = new Map(calls.map((c) => [c.kind, c]));
      const validation = byKind.get('validation');
      assert.equal(validation?.url, `${shop.origin}/validate?sid=${order.order_id}`);
      assert.equal(validation?.response_status, 200);
      assert.equal(validation?.response_body, 'valid');
      assert.equal((JSON.parse(validation?.request_body ?? '{}') as { order_id: string }).order_id, order.order_id);

      const push = byKind.get('push');
      assert.equal(push?.method, 'POST');
      assert.equal(push?.url, `${shop.origin}/push?sid=${order.order_id}`);
      assert.equal(push?.response_body, LONG_ANSWER.slice(0, 4096), 'the first 4 KB of the answer');

      const webhook = byKind.get('webhook');
      assert.equal(webhook?.url, `${shop.origin}/hooks?token=redacted`, 'a secret in the query is not shown');
      assert.equal(webhook?.response_status, 202);
      assert.equal((JSON.parse(webhook?.request_body ?? '{}') as { type: string }).type, 'capture.created');
      assert.equal(webhook?.order_id, order.order_id);
      for (const c of calls) assert.match(c.called_at, /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual(
        calls.map((c) => c.call_id),
        [...calls.map((c) => c.call_id)].sort((a, b) => b - a),
        'newest first',
      );

      assert.deepEqual((await callsOf(t, m, '?kind=push')).map((c) => c.kind), ['push']);
      assert.equal((await callsOf(t, m, `?order_id=${order.order_id}`)).length, calls.length);
      assert.deepEqual(await callsOf(t, m, '?order_id=someone-else'), []);
      const oldest = Math.min(...calls.map((c) => c.call_id));
      assert.deepEqual(
        (await callsOf(t, m, `?after=${oldest}`)).map((c) => c.call_id),
        calls.map((c) => c.call_id).filter((id) => id > oldest).sort((a, b) => a - b),
        'after an id: oldest first',
      );

      // Another merchant sees none of them.
      assert.deepEqual(await callsOf(t, await createMerchant(t, 'Other AB')), []);

      // The portal's order timeline shows the same calls.
      const portal = await portalLogin(t, m);
      const page = await portal.get(`/portal/orders/${order.order_id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Validation callback to <span class="mono">POST http:\/\/127\.0\.0\.1:\d+\/validate\?sid=[^<]+<\/span>: answered 200/);
      assert.match(page.body, /Push to <span class="mono">POST [^<]+\/push\?sid=[^<]+<\/span>: answered 200/);
      assert.match(page.body, /Webhook to <span class="mono">POST [^<]+\/hooks\?token=redacted<\/span>: answered 202/);
      assert.doesNotMatch(page.body, /s3cret/);
    });

    it("a snapshot keeps the calls and the delivery attempts with their jobs: export → reset → import → export is byte-identical", async () => {
      const t = ctx();
      const m = await createMerchant(t);
      await registerWebhook(t, m, `${shop.origin}/hooks`, ['capture.created']);
      const order = await createCheckout(t, m, checkoutBody({ merchant_urls: merchantUrls(shop.origin) }));
      assert.equal((await complete(t, m, order.order_id, 'accepted')).statusCode, 200);
      assert.equal((await capture(t, m, order.order_id, { captured_amount: 10_000 })).statusCode, 201);
      await eventually('the webhook delivered', async () => ((await callsOf(t, m, '?kind=webhook')).length > 0 ? true : undefined));
      const exported = (await call(t, { method: 'GET', url: '/sandbox/v1/snapshot', auth: m })).body;
      const tables = (JSON.parse(exported) as { tables: Record<string, { job_id?: number }[]> }).tables;
      assert.ok((tables.job_attempts?.length ?? 0) > 0 && (tables.merchant_calls?.length ?? 0) > 0);
      assert.ok(tables.job_attempts!.every((a) => typeof a.job_id === 'number' && a.job_id >= 1 && a.job_id <= tables.jobs!.length), 'attempts name their job by position');
      // Another merchant's jobs in between: the imported ones get new ids, and their attempts follow them.
      const other = await createMerchant(t, 'Other AB');
      await registerWebhook(t, other, `${shop.origin}/hooks`, ['order.created']);
      await createOrder(t, other);
      assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: m })).statusCode, 204);
      assert.equal((await call(t, { method: 'PUT', url: '/sandbox/v1/snapshot', auth: m, body: exported })).statusCode, 204);
      assert.equal((await call(t, { method: 'GET', url: '/sandbox/v1/snapshot', auth: m })).body, exported);
    });

    it('a bad filter is refused with BAD_VALUE', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      expectError(await call(t, { method: 'GET', url: '/sandbox/v1/calls?kind=fax', auth: m }), 400, 'BAD_VALUE');
      expectError(await call(t, { method: 'GET', url: '/sandbox/v1/calls?limit=0', auth: m }), 400, 'BAD_VALUE');
    });
  },
  WITH_WORKER,
);
