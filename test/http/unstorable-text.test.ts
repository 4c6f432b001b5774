// CONTRACT §2, text fields: any string the schema allows is stored and returned exactly on both
// stores, and a string PostgreSQL cannot hold (U+0000, an unpaired surrogate) is 400 BAD_VALUE
// naming where it was, on both, wherever it comes in (body, path, stored header), never a 5xx and
// never silently changed. Ids that are not UUIDs name nothing: 404, as for orders.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { captureLogs } from '../support/capturedLogs.js';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  orderBody,
  ordersUrl,
  refund,
  type Json,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';
import { expectError, refusedWithoutChange } from '../support/orderAssertions.js';
import { portalLogin, postLogin } from '../support/portal.js';

/** A NUL, a lone high surrogate, a lone low surrogate between letters. */
const UNSTORABLE = ['a\u0000b', '\ud800', 'x\udc00y'];
const NOT_A_UUID = 'not-a-uuid';
const UNKNOWN_ORDER = '6f1c2a0e-3b4d-4c5e-8f90-123456789abc';
const UNKNOWN_ID = '0b3a7d52-9a4f-4c1e-8a0d-5f7e2c1b9d33';

const logs = captureLogs();

function expectBadValue(res: LightMyRequestResponse, field: string) {
  const body = expectError(res, 400, 'BAD_VALUE');
  assert.equal(body.error_messages.length, 1);
  assert.ok(body.error_messages[0]!.startsWith(`Bad value: ${field} (`), `"${body.error_messages[0]}" should name ${field}`);
}

async function count(t: TestApp, table: 'orders' | 'merchants' | 'idempotency_keys'): Promise<number> {
  const row = await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describeOnBothStores(
  'text no store can hold',
  (ctx) => {
    let m: MerchantCredentials;
    /** An order with one capture and one refund, for the routes that need them. */
    let captured: { orderId: string; captureId: string; refundId: string };

    before(async () => {
      m = await createMerchant(ctx(), 'Unicode AB');
      const orderId = (await createOrder(ctx(), m)).order_id;
      const c = await capture(ctx(), m, orderId, { captured_amount: 5_000 });
      const r = await refund(ctx(), m, orderId, { refunded_amount: 100 });
      captured = { orderId, captureId: String(c.headers['capture-id']), refundId: String(r.headers['refund-id']) };
    });

    after(() => {
      // A client's bad input is a 4xx: nothing at error level, no stack.
      assert.deepEqual(logs.errors(), []);
    });

    const send = (method: 'POST' | 'PATCH' | 'GET', url: string, body?: Json, headers: Record<string, string> = {}) =>
      call(ctx(), { method, url, auth: m, body, headers });
    const line = (name: string) => ({ name, quantity: 1, unit_price: 100, total_amount: 100 });

    /** [the field's path in the message, the request carrying `bad` there] on a fresh AUTHORIZED order. */
    const orderRequests: [string, (orderId: string, bad: string) => Promise<LightMyRequestResponse>][] = [
      ['description', (id, bad) => capture(ctx(), m, id, { captured_amount: 100, description: bad })],
      ['reference', (id, bad) => capture(ctx(), m, id, { captured_amount: 100, reference: bad })],
      ['order_lines[1].name', (id, bad) => capture(ctx(), m, id, { captured_amount: 200, order_lines: [line('ok'), line(bad)] })],
      ['shipping_info[0].tracking_number', (id, bad) => capture(ctx(), m, id, { captured_amount: 100, shipping_info: [{ tracking_number: bad }] })],
      ['merchant_reference2', (id, bad) => send('PATCH', ordersUrl(id, '/merchant-references'), { merchant_reference1: 'ok', merchant_reference2: bad })],
      ['shipping_address.city', (id, bad) => send('PATCH', ordersUrl(id, '/customer-details'), { shipping_address: { city: bad } })],
      ['shipping_info[0].shipping_company', (id, bad) => send('POST', ordersUrl(id, '/shipping-info'), { shipping_info: [{ shipping_company: bad }] })],
      ['order_lines[0].name', (id, bad) => send('PATCH', ordersUrl(id, '/authorization'), { order_amount: 100, order_lines: [line(bad)] })],
      ['Klarna-Idempotency-Key', (id, bad) => capture(ctx(), m, id, { captured_amount: 100 }, { 'klarna-idempotency-key': bad })],
      ['order_id', (_id, bad) => send('GET', ordersUrl(encodeURIComponent(bad)))],
    ];
    for (const [field, request] of orderRequests) {
      it(`U+0000 or an unpaired surrogate in ${field} → 400 BAD_VALUE naming it, nothing written`, async () => {
        const orderId = (await createOrder(ctx(), m)).order_id;
        const keys = await count(ctx(), 'idempotency_keys');
        // Path segments are percent-decoded as UTF-8, which has no lone surrogates: only U+0000 gets there.
        for (const bad of field === 'order_id' ? ['a\u0000b'] : UNSTORABLE) {
          expectBadValue(await refusedWithoutChange(ctx(), m, orderId, () => request(orderId, bad)), field);
        }
        assert.equal(await count(ctx(), 'idempotency_keys'), keys, 'a refused request claimed an idempotency key');
      });
    }

    it('U+0000 or an unpaired surrogate in a refund\'s description or reference → 400 naming it, nothing written', async () => {
      for (const field of ['description', 'reference']) {
        for (const bad of UNSTORABLE) {
          const res = await refusedWithoutChange(ctx(), m, captured.orderId, () => refund(ctx(), m, captured.orderId, { refunded_amount: 10, [field]: bad }));
          expectBadValue(res, field);
        }
      }
    });

    it('U+0000 in a capture or refund id in the path → 400 naming capture_id / refund_id, nothing written', async () => {
      const { orderId } = captured;
      const requests: [string, () => Promise<LightMyRequestResponse>][] = [
        ['capture_id', () => send('GET', ordersUrl(orderId, '/captures/%00'))],
        ['capture_id', () => send('POST', ordersUrl(orderId, '/captures/%00/shipping-info'), { shipping_info: [{ tracking_number: '1' }] })],
        ['refund_id', () => send('GET', ordersUrl(orderId, '/refunds/%00'))],
      ];
      for (const [field, request] of requests) expectBadValue(await refusedWithoutChange(ctx(), m, orderId, request), field);
    });

    it('an unknown route stays 404 NOT_FOUND whatever its URL holds', async () => {
      expectError(await send('GET', '/no/such/route/%00'), 404, 'NOT_FOUND');
      expectError(await send('POST', ordersUrl(captured.orderId, '/captures/%00/no-such-action')), 404, 'NOT_FOUND');
    });

    it('capture and refund ids that are not UUIDs are 400 naming them, unknown UUIDs 404 NO_SUCH_CAPTURE / NO_SUCH_REFUND; nothing written', async () => {
      const { orderId } = captured;
      for (const id of [NOT_A_UUID, UNKNOWN_ID, `${captured.captureId}x`]) {
        const path = encodeURIComponent(id);
        const requests: [string, string, () => Promise<LightMyRequestResponse>][] = [
          ['capture_id', 'NO_SUCH_CAPTURE', () => send('GET', ordersUrl(orderId, `/captures/${path}`))],
          ['capture_id', 'NO_SUCH_CAPTURE', () => send('POST', ordersUrl(orderId, `/captures/${path}/shipping-info`), { shipping_info: [{ tracking_number: '1' }] })],
          ['refund_id', 'NO_SUCH_REFUND', () => send('GET', ordersUrl(orderId, `/refunds/${path}`))],
        ];
        for (const [field, code, request] of requests) {
          const res = await refusedWithoutChange(ctx(), m, orderId, request);
          if (id === UNKNOWN_ID) expectError(res, 404, code);
          else expectBadValue(res, field);
        }
      }
      // The path is checked before anything is looked up; then the order is looked for first, as for every sub-resource.
      expectBadValue(await send('GET', ordersUrl(UNKNOWN_ORDER, `/captures/${NOT_A_UUID}`)), 'capture_id');
      expectError(await send('GET', ordersUrl(UNKNOWN_ORDER, `/refunds/${UNKNOWN_ID}`)), 404, 'NO_SUCH_ORDER');
      // And the real ids still answer, in either case.
      assert.equal((await send('GET', ordersUrl(orderId, `/captures/${captured.captureId.toUpperCase()}`))).statusCode, 200);
      assert.equal((await send('GET', ordersUrl(orderId, `/refunds/${captured.refundId}`))).statusCode, 200);
    });

    it('admin intake: U+0000 or an unpaired surrogate anywhere in the order → 400 naming the field, nothing stored', async () => {
      const cases: [string, (bad: string) => Json][] = [
        ['merchant_data', (bad) => orderBody({ merchant_data: bad })],
        ['merchant_reference1', (bad) => orderBody({ merchant_reference1: bad })],
        ['billing_address.street_address', (bad) => orderBody({ billing_address: { street_address: bad, country: 'SE' } })],
        ['order_lines[1].name', (bad) => {
          const body = orderBody();
          (body.order_lines as Json[])[1]!.name = bad;
          return body;
        }],
      ];
      const orders = await count(ctx(), 'orders');
      for (const [field, body] of cases) {
        for (const bad of UNSTORABLE) {
          expectBadValue(await call(ctx(), { method: 'POST', url: `/admin/v1/merchants/${m.merchant_id}/orders`, auth: 'admin', body: body(bad) }), field);
        }
      }
      expectBadValue(await call(ctx(), { method: 'POST', url: '/admin/v1/merchants/%00/orders', auth: 'admin', body: orderBody() }), 'merchant_id');
      assert.equal(await count(ctx(), 'orders'), orders);
    });

    it('admin: a merchant name with U+0000 or an unpaired surrogate → 400 naming name, no merchant created', async () => {
      const merchants = await count(ctx(), 'merchants');
      for (const bad of UNSTORABLE) {
        expectBadValue(await call(ctx(), { method: 'POST', url: '/admin/v1/merchants', auth: 'admin', body: { name: bad } }), 'name');
      }
      assert.equal(await count(ctx(), 'merchants'), merchants);
    });

    it('a Basic username with U+0000 → 401 with the Basic challenge, not a 5xx', async () => {
      const res = await ctx().app.inject({
        method: 'GET',
        url: ordersUrl(captured.orderId),
        headers: { authorization: `Basic ${Buffer.from(`${m.username}\u0000:${m.password}`).toString('base64')}` },
      });
      expectError(res, 401, 'UNAUTHORIZED');
      assert.equal(res.headers['www-authenticate'], 'Basic realm="OpenOM"');
    });

    it('the portal: U+0000 in a login username, a search or a form field → a 400 page, never a 5xx, nothing written', async () => {
      const portal = await portalLogin(ctx(), m);
      const { orderId } = captured;
      const pages = [
        await postLogin(ctx(), `${m.username}\u0000`, m.password),
        await portal.get('/portal/orders?q=%00'),
        await refusedWithoutChange(ctx(), m, orderId, async () =>
          portal.post(`/portal/orders/${orderId}/refund`, { idempotency_key: 'key\u0000', minor_amount: '100', version: await portal.versionOf(orderId) }),
        ),
      ];
      for (const page of pages) {
        assert.equal(page.statusCode, 400, page.body.slice(0, 300));
        assert.match(String(page.headers['content-type']), /^text\/html/);
      }
    });

    it('text the stores can hold comes back exactly: emoji (surrogate pairs), control characters, U+FFFF, U+2028', async () => {
      const orderId = (await createOrder(ctx(), m)).order_id;
      const texts = ['💸🇸🇪', 'tab\tnew\nline\u0001\u001f', 'edge\uffff\ufffd', 'sep\u2028\u2029', 'é'.normalize('NFD')];
      for (const text of texts) {
        const c = await capture(ctx(), m, orderId, { captured_amount: 10, description: text, reference: text.slice(0, 4) });
        assert.equal(c.statusCode, 201, c.body);
        const got = (await send('GET', String(c.headers.location))).json() as Json;
        assert.equal(got.description, text);
        assert.equal(got.reference, text.slice(0, 4));
      }
    });
  },
  {},
  logs.logger,
);

// Klarna's profile keeps the capture routes Kustom removed (due date, send-out): the same rules there.
describeOnBothStores(
  'capture ids on the Klarna-profile capture routes',
  (ctx) => {
    let m: MerchantCredentials;
    let orderId: string;
    before(async () => {
      m = await createMerchant(ctx(), 'Klarna Profile AB');
      orderId = (await createOrder(ctx(), m)).order_id;
      assert.equal((await capture(ctx(), m, orderId, { captured_amount: 5_000 })).statusCode, 201);
    });

    const requests = (captureId: string): (() => Promise<LightMyRequestResponse>)[] => [
      () => call(ctx(), { method: 'GET', url: ordersUrl(orderId, `/captures/${captureId}/extend-due-date-options`), auth: m }),
      () => call(ctx(), { method: 'PATCH', url: ordersUrl(orderId, `/captures/${captureId}/extend-due-date`), auth: m, body: { number_of_days: 14 } }),
      () => call(ctx(), { method: 'POST', url: ordersUrl(orderId, `/captures/${captureId}/trigger-send-out`), auth: m }),
    ];

    it('U+0000 in the capture id or an id that is not a UUID → 400 naming capture_id; an unknown UUID → 404 NO_SUCH_CAPTURE; nothing written', async () => {
      for (const request of requests('a%00b')) expectBadValue(await refusedWithoutChange(ctx(), m, orderId, request), 'capture_id');
      for (const request of requests(NOT_A_UUID)) expectBadValue(await refusedWithoutChange(ctx(), m, orderId, request), 'capture_id');
      for (const request of requests(UNKNOWN_ID)) expectError(await refusedWithoutChange(ctx(), m, orderId, request), 404, 'NO_SUCH_CAPTURE');
    });
  },
  { OPENOM_PROFILE: 'klarna' },
);
