// POST/GET …/orders/{order_id}/captures and the capture follow-ups (shipping info, due date,
// send-out), over HTTP on both stores: happy paths, every refusal, and what each one writes.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  getOrder,
  ordersUrl,
  type Json,
  type MerchantCredentials,
} from '../support/harness.js';
import { PAST, TIMESTAMP, UUID, events, expectError, refusedWithoutChange } from '../support/orderAssertions.js';

const shippingItem = (n: number) => ({ shipping_company: 'PostNord', shipping_method: 'Home', tracking_number: `T${n}`, tracking_uri: `https://track.example/${n}` });

describeOnBothStores('captures', (ctx) => {
  let m: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Capture AB');
  });

  it('a capture answers 201 with no body, the absolute URL of the capture as Location, and the Capture-Id', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const res = await capture(t, m, order.order_id, { captured_amount: 4_000 });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.body, '');
    const captureId = String(res.headers['capture-id']);
    assert.match(captureId, UUID);
    // app.inject sends Host: localhost:80; the Location is in URL's normal form.
    assert.equal(res.headers.location, `http://localhost/ordermanagement/v1/orders/${order.order_id}/captures/${captureId}`);
    const followed = await call(t, { method: 'GET', url: String(res.headers.location), auth: m });
    assert.equal(followed.statusCode, 200, followed.body);
    assert.equal((followed.json() as Json).capture_id, captureId);
  });

  it('captures get klarna_reference -1, -2, captured_at, refunded_amount 0 and the order addresses', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const first = await capture(t, m, order.order_id, { captured_amount: 3_000, description: 'First parcel', reference: 'cap-1' });
    const second = await capture(t, m, order.order_id, { captured_amount: 2_000 });
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    const list = (await call(t, { method: 'GET', url: ordersUrl(order.order_id, '/captures'), auth: m })).json() as Json[];
    assert.equal(list.length, 2);
    const [c1, c2] = list as [Json, Json];
    assert.equal(c1.capture_id, first.headers['capture-id']);
    assert.equal(c2.capture_id, second.headers['capture-id']);
    assert.equal(c1.klarna_reference, `${String(order.klarna_reference)}-1`);
    assert.equal(c2.klarna_reference, `${String(order.klarna_reference)}-2`);
    assert.equal(c1.captured_amount, 3_000);
    assert.equal(c2.captured_amount, 2_000);
    assert.equal(c1.description, 'First parcel');
    assert.equal(c1.reference, 'cap-1');
    for (const c of list) {
      assert.match(String(c.captured_at), TIMESTAMP);
      assert.equal(c.refunded_amount, 0);
      assert.deepEqual(c.billing_address, order.billing_address);
      assert.deepEqual(c.shipping_address, order.shipping_address);
      assert.deepEqual(c.shipping_info, []);
      assert.deepEqual(c.order_lines, []);
    }
    const got = await getOrder(t, m, order.order_id);
    assert.deepEqual(got.captures, list);
    assert.equal(got.captured_amount, 5_000);
    assert.equal(got.remaining_authorized_amount, 5_000);
    assert.equal(got.status, 'PART_CAPTURED');
  });

  it('a capture keeps the shipping address the order had when it was captured', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 1_000 });
    const moved = { ...(order.shipping_address as Json), street_address: 'Nygatan 1', city: 'Eksjö' };
    const patch = await call(t, { method: 'PATCH', url: ordersUrl(order.order_id, '/customer-details'), auth: m, body: { shipping_address: moved } });
    assert.equal(patch.statusCode, 204, patch.body);
    await capture(t, m, order.order_id, { captured_amount: 1_000 });
    const [c1, c2] = (await getOrder(t, m, order.order_id)).captures as [Json, Json];
    assert.deepEqual(c1.shipping_address, order.shipping_address);
    assert.deepEqual(c2.shipping_address, moved);
  });

  it('GET capture returns the capture with its order lines and shipping info; shipping_delay is not returned', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const lines = [{ type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: 9_000, total_amount: 9_000 }];
    const res = await capture(t, m, order.order_id, { captured_amount: 9_000, order_lines: lines, shipping_info: [shippingItem(1)], shipping_delay: 2 });
    assert.equal(res.statusCode, 201, res.body);
    const got = await call(t, { method: 'GET', url: ordersUrl(order.order_id, `/captures/${String(res.headers['capture-id'])}`), auth: m });
    assert.equal(got.statusCode, 200);
    const c = got.json() as Json;
    assert.deepEqual(c.order_lines, lines);
    assert.deepEqual(c.shipping_info, [shippingItem(1)]);
    assert.equal('shipping_delay' in c, false);
  });

  it('capturing exactly the remaining amount makes the order CAPTURED; one unit more is 403 CAPTURE_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 6_000 })).statusCode, 201);
    const over = await refusedWithoutChange(t, m, order.order_id, () => capture(t, m, order.order_id, { captured_amount: 4_001 }));
    const body = expectError(over, 403, 'CAPTURE_NOT_ALLOWED');
    assert.match(body.error_messages[0]!, /remaining authorized amount/);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 4_000 })).statusCode, 201);
    const got = await getOrder(t, m, order.order_id);
    assert.equal(got.status, 'CAPTURED');
    assert.equal(got.captured_amount, 10_000);
    assert.equal(got.remaining_authorized_amount, 0);
  });

  it('a fully captured order refuses any further capture with 403 CAPTURE_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 10_000 })).statusCode, 201);
    const res = await refusedWithoutChange(t, m, order.order_id, () => capture(t, m, order.order_id, { captured_amount: 1 }));
    expectError(res, 403, 'CAPTURE_NOT_ALLOWED');
  });

  it('a cancelled order refuses a capture with 403 CAPTURE_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/cancel'), auth: m })).statusCode, 204);
    const res = await refusedWithoutChange(t, m, order.order_id, () => capture(t, m, order.order_id, { captured_amount: 1 }));
    expectError(res, 403, 'CAPTURE_NOT_ALLOWED');
  });

  it('an expired order is EXPIRED with nothing remaining and refuses a capture with 403 CAPTURE_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m, { expires_at: PAST });
    const got = await getOrder(t, m, order.order_id);
    assert.equal(got.status, 'EXPIRED');
    assert.equal(got.remaining_authorized_amount, 0);
    const res = await refusedWithoutChange(t, m, order.order_id, () => capture(t, m, order.order_id, { captured_amount: 1 }));
    const body = expectError(res, 403, 'CAPTURE_NOT_ALLOWED');
    assert.match(body.error_messages[0]!, /expired/);
  });

  it('an unknown order answers 404 NO_SUCH_ORDER for capture, list and get', async () => {
    const t = ctx();
    const unknown = '6b7a3a76-0b0c-4f39-8e35-8d9a4b0c1a2b';
    expectError(await capture(t, m, unknown, { captured_amount: 1 }), 404, 'NO_SUCH_ORDER');
    expectError(await call(t, { method: 'GET', url: ordersUrl(unknown, '/captures'), auth: m }), 404, 'NO_SUCH_ORDER');
    expectError(await call(t, { method: 'GET', url: ordersUrl(unknown, `/captures/${unknown}`), auth: m }), 404, 'NO_SUCH_ORDER');
  });

  it('an unknown capture answers 404 NO_SUCH_CAPTURE on every capture route', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const unknown = ordersUrl(order.order_id, '/captures/6b7a3a76-0b0c-4f39-8e35-8d9a4b0c1a2b');
    expectError(await call(t, { method: 'GET', url: unknown, auth: m }), 404, 'NO_SUCH_CAPTURE');
    expectError(await call(t, { method: 'GET', url: `${unknown}/extend-due-date-options`, auth: m }), 404, 'NO_SUCH_CAPTURE');
    for (const [url, body] of [
      [`${unknown}/shipping-info`, { shipping_info: [shippingItem(1)] }],
      [`${unknown}/trigger-send-out`, undefined],
    ] as const) {
      const res = await refusedWithoutChange(t, m, order.order_id, () => call(t, { method: 'POST', url, auth: m, body }));
      expectError(res, 404, 'NO_SUCH_CAPTURE');
    }
    const res = await refusedWithoutChange(t, m, order.order_id, () =>
      call(t, { method: 'PATCH', url: `${unknown}/extend-due-date`, auth: m, body: { number_of_days: 7 } }),
    );
    expectError(res, 404, 'NO_SUCH_CAPTURE');
  });

  it('capture shipping info is appended (204) and visible on the capture and the order', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const cid = String((await capture(t, m, order.order_id, { captured_amount: 1_000, shipping_info: [shippingItem(0)] })).headers['capture-id']);
    const url = ordersUrl(order.order_id, `/captures/${cid}/shipping-info`);
    const before = (await events(t, order.order_id)).length;
    const a = await call(t, { method: 'POST', url, auth: m, body: { shipping_info: [shippingItem(1)] } });
    assert.equal(a.statusCode, 204, a.body);
    assert.equal(a.body, '');
    const b = await call(t, { method: 'POST', url, auth: m, body: { shipping_info: [shippingItem(2), shippingItem(3)] } });
    assert.equal(b.statusCode, 204, b.body);
    const c = (await call(t, { method: 'GET', url: ordersUrl(order.order_id, `/captures/${cid}`), auth: m })).json() as Json;
    assert.deepEqual(c.shipping_info, [0, 1, 2, 3].map(shippingItem));
    const got = await getOrder(t, m, order.order_id);
    assert.deepEqual((got.captures as Json[])[0]!.shipping_info, [0, 1, 2, 3].map(shippingItem));
    assert.deepEqual(got.shipping_info, [], 'capture shipping info does not go to the order list');
    const written = (await events(t, order.order_id)).slice(before);
    assert.deepEqual(written.map((e) => e.type), ['CAPTURE_SHIPPING_INFO_ADDED', 'CAPTURE_SHIPPING_INFO_ADDED']);
  });

  it('capture shipping info takes 1 to 500 items: 500 passes, 501 and 0 are 400 BAD_VALUE', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const cid = String((await capture(t, m, order.order_id, { captured_amount: 1_000 })).headers['capture-id']);
    const url = ordersUrl(order.order_id, `/captures/${cid}/shipping-info`);
    const items = (n: number) => Array.from({ length: n }, (_, i) => shippingItem(i));
    for (const n of [501, 0]) {
      const res = await refusedWithoutChange(t, m, order.order_id, () => call(t, { method: 'POST', url, auth: m, body: { shipping_info: items(n) } }));
      const body = expectError(res, 400, 'BAD_VALUE');
      assert.match(body.error_messages[0]!, /shipping_info/);
    }
    const ok = await call(t, { method: 'POST', url, auth: m, body: { shipping_info: items(500) } });
    assert.equal(ok.statusCode, 204, ok.body);
    const c = (await call(t, { method: 'GET', url: ordersUrl(order.order_id, `/captures/${cid}`), auth: m })).json() as Json;
    assert.equal((c.shipping_info as Json[]).length, 500);
  });

  it('extend-due-date-options lists the offers; PATCH extend-due-date with one of them answers 204 and then none remain', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const cid = String((await capture(t, m, order.order_id, { captured_amount: 1_000 })).headers['capture-id']);
    const optionsUrl = ordersUrl(order.order_id, `/captures/${cid}/extend-due-date-options`);
    const options = await call(t, { method: 'GET', url: optionsUrl, auth: m });
    assert.equal(options.statusCode, 200, options.body);
    assert.deepEqual(options.json(), {
      currency: 'SEK',
      options: [
        { number_of_days: 7, amount: 0 },
        { number_of_days: 14, amount: 100 },
        { number_of_days: 30, amount: 250 },
      ],
    });
    const url = ordersUrl(order.order_id, `/captures/${cid}/extend-due-date`);
    const notOffered = await refusedWithoutChange(t, m, order.order_id, () => call(t, { method: 'PATCH', url, auth: m, body: { number_of_days: 10 } }));
    expectError(notOffered, 403, 'NOT_ALLOWED');
    const before = (await events(t, order.order_id)).length;
    const res = await call(t, { method: 'PATCH', url, auth: m, body: { number_of_days: 14 } });
    assert.equal(res.statusCode, 204, res.body);
    const written = (await events(t, order.order_id)).slice(before);
    assert.deepEqual(written.map((e) => e.type), ['CAPTURE_DUE_DATE_EXTENDED']);
    assert.deepEqual(JSON.parse(written[0]!.data!), { capture_id: cid, number_of_days: 14 });
    assert.deepEqual((await call(t, { method: 'GET', url: optionsUrl, auth: m })).json(), { currency: 'SEK', options: [] });
    const again = await refusedWithoutChange(t, m, order.order_id, () => call(t, { method: 'PATCH', url, auth: m, body: { number_of_days: 7 } }));
    expectError(again, 403, 'NOT_ALLOWED');
  });

  it('extend-due-date also accepts POST, as older Klarna SDKs send it', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const cid = String((await capture(t, m, order.order_id, { captured_amount: 1_000 })).headers['capture-id']);
    const res = await call(t, { method: 'POST', url: ordersUrl(order.order_id, `/captures/${cid}/extend-due-date`), auth: m, body: { number_of_days: 7 } });
    assert.equal(res.statusCode, 204, res.body);
    const options = await call(t, { method: 'GET', url: ordersUrl(order.order_id, `/captures/${cid}/extend-due-date-options`), auth: m });
    assert.deepEqual((options.json() as Json).options, []);
  });

  it('extend-due-date needs an integer number_of_days: missing, "7" and 1.5 are 400 BAD_VALUE', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const cid = String((await capture(t, m, order.order_id, { captured_amount: 1_000 })).headers['capture-id']);
    const url = ordersUrl(order.order_id, `/captures/${cid}/extend-due-date`);
    for (const body of [{}, { number_of_days: '7' }, { number_of_days: 1.5 }]) {
      const res = await refusedWithoutChange(t, m, order.order_id, () => call(t, { method: 'PATCH', url, auth: m, body }));
      const err = expectError(res, 400, 'BAD_VALUE');
      assert.match(err.error_messages[0]!, /number_of_days/);
    }
  });

  it('trigger-send-out answers 204, ignores any body, and records one event each time', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const cid = String((await capture(t, m, order.order_id, { captured_amount: 1_000 })).headers['capture-id']);
    const url = ordersUrl(order.order_id, `/captures/${cid}/trigger-send-out`);
    const before = await getOrder(t, m, order.order_id);
    const eventsBefore = (await events(t, order.order_id)).length;
    assert.equal((await call(t, { method: 'POST', url, auth: m })).statusCode, 204);
    assert.equal((await call(t, { method: 'POST', url, auth: m, body: {} })).statusCode, 204);
    const written = (await events(t, order.order_id)).slice(eventsBefore);
    assert.deepEqual(written.map((e) => e.type), ['CAPTURE_SEND_OUT_TRIGGERED', 'CAPTURE_SEND_OUT_TRIGGERED']);
    assert.deepEqual(await getOrder(t, m, order.order_id), before);
  });

  it('a capture writes exactly one CAPTURE_CREATED event with the amounts before and after', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const before = (await events(t, order.order_id)).length;
    const res = await capture(t, m, order.order_id, { captured_amount: 2_500 });
    const written = (await events(t, order.order_id)).slice(before);
    assert.equal(written.length, 1);
    const e = written[0]!;
    assert.equal(e.type, 'CAPTURE_CREATED');
    assert.equal(e.merchant_id, m.merchant_id);
    assert.equal(e.correlation_id, res.headers['klarna-correlation-id']);
    assert.deepEqual(JSON.parse(e.amounts_before!), {
      status: 'AUTHORIZED', order_amount: 10_000, captured_amount: 0, refunded_amount: 0, remaining_authorized_amount: 10_000,
      expires_at: new Date(String(order.expires_at)).toISOString(),
    });
    assert.deepEqual(JSON.parse(e.amounts_after), {
      status: 'PART_CAPTURED', order_amount: 10_000, captured_amount: 2_500, refunded_amount: 0, remaining_authorized_amount: 7_500,
      expires_at: new Date(String(order.expires_at)).toISOString(),
    });
    assert.equal(JSON.parse(e.data!).capture_id, res.headers['capture-id']);
  });
}, { OPENOM_PROFILE: 'klarna' });


describeOnBothStores('captures under the kustom profile (the default)', (ctx) => {
  it('extend-due-date, extend-due-date-options and trigger-send-out are unknown routes: 404 NOT_FOUND', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Kustom AB');
    const order = await createOrder(t, m);
    const res = await capture(t, m, order.order_id, { captured_amount: 1_000 });
    assert.equal(res.statusCode, 201, res.body);
    const base = ordersUrl(order.order_id, `/captures/${String(res.headers['capture-id'])}`);
    for (const [method, url, body] of [
      ['PATCH', `${base}/extend-due-date`, { number_of_days: 7 }],
      ['POST', `${base}/extend-due-date`, { number_of_days: 7 }],
      ['GET', `${base}/extend-due-date-options`, undefined],
      ['POST', `${base}/trigger-send-out`, undefined],
    ] as const) {
      const r = await call(t, { method, url, auth: m, body });
      assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
      assert.equal((r.json() as Json).error_code, 'NOT_FOUND');
    }
    assert.deepEqual((await events(t, order.order_id)).map((e) => e.type), ['ORDER_CREATED', 'CAPTURE_CREATED']);
  });
});
