// Sandbox faults on demand (CONTRACT §5): a merchant's next matching requests are answered with the
// status and Klarna error body it asked for, after its delay, and change nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { openStore } from '../../src/store/dialect.js';
import type { Fault } from '../../src/store/faults.js';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  errorOf,
  getOrder,
  ordersUrl,
  startTestApp,
  type Json,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';
import { expectError, refusedWithoutChange } from '../support/orderAssertions.js';
import { basicAuth, RawConnection, requestHead } from '../support/rawHttp.js';

const CAPTURES = '/ordermanagement/v1/orders/*/captures';

describeOnBothStores('sandbox faults', (ctx) => {
  const addFault = async (t: TestApp, who: MerchantCredentials, body: Json): Promise<Fault> => {
    const res = await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: who, body });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Fault;
  };
  const listFaults = async (t: TestApp, who: MerchantCredentials): Promise<Fault[]> => {
    const res = await call(t, { method: 'GET', url: '/sandbox/v1/faults', auth: who });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { faults: Fault[] }).faults;
  };
  /** A merchant of its own per test: faults are per merchant and would leak between tests. */
  const fresh = (t: TestApp) => createMerchant(t, `Faults ${randomUUID().slice(0, 8)}`);
  const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const start = performance.now();
    const value = await fn();
    return { value, ms: performance.now() - start };
  };

  it('POST creates a fault (201 with the fault), GET lists the active ones, DELETE removes one (204, then 404 NOT_FOUND)', async () => {
    const t = ctx();
    const m = await fresh(t);
    const fault = await addFault(t, m, { method: 'post', path: CAPTURES, status: 503, times: 2, delay_ms: 10 });
    assert.match(fault.fault_id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...fault, fault_id: '', created_at: '' }, {
      fault_id: '',
      method: 'POST',
      path: CAPTURES,
      status: 503,
      error_code: 'SERVICE_UNAVAILABLE',
      delay_ms: 10,
      times_left: 2,
      created_at: '',
    });
    assert.match(fault.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const second = await addFault(t, m, { method: 'GET', path: '/ordermanagement/v1/orders/*', status: 404 });
    assert.equal(second.error_code, 'NO_SUCH_ORDER');
    assert.equal(second.times_left, 1);
    assert.deepEqual((await listFaults(t, m)).map((f) => f.fault_id), [fault.fault_id, second.fault_id]);
    const del = await call(t, { method: 'DELETE', url: `/sandbox/v1/faults/${fault.fault_id}`, auth: m });
    assert.equal(del.statusCode, 204, del.body);
    assert.deepEqual((await listFaults(t, m)).map((f) => f.fault_id), [second.fault_id]);
    expectError(await call(t, { method: 'DELETE', url: `/sandbox/v1/faults/${fault.fault_id}`, auth: m }), 404, 'NOT_FOUND');
  });

  it("another merchant neither sees nor deletes a merchant's faults, and its requests are not faulted", async () => {
    const t = ctx();
    const m = await fresh(t);
    const other = await fresh(t);
    const fault = await addFault(t, m, { method: 'POST', path: CAPTURES, status: 503, times: 10 });
    assert.deepEqual(await listFaults(t, other), []);
    expectError(await call(t, { method: 'DELETE', url: `/sandbox/v1/faults/${fault.fault_id}`, auth: other }), 404, 'NOT_FOUND');
    const theirs = await createOrder(t, other);
    assert.equal((await capture(t, other, theirs.order_id, { captured_amount: 100 })).statusCode, 201);
    assert.equal((await listFaults(t, m))[0]!.times_left, 10);
  });

  it('a matching request gets the status, Retry-After and Klarna body, and changes nothing; other methods and paths are answered normally', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    const fault = await addFault(t, m, { method: 'POST', path: CAPTURES, status: 503 });
    // Same path, other method; same method, other path: not faulted.
    assert.equal((await call(t, { method: 'GET', url: ordersUrl(order.order_id, '/captures'), auth: m })).statusCode, 200);
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/acknowledge'), auth: m })).statusCode, 204);
    const faulted = await refusedWithoutChange(t, m, order.order_id, () =>
      capture(t, m, order.order_id, { captured_amount: 100 }, { 'klarna-correlation-id': 'fault-test-1' }),
    );
    const body = expectError(faulted, 503, 'SERVICE_UNAVAILABLE');
    assert.equal(body.correlation_id, 'fault-test-1');
    assert.match(body.error_messages[0]!, new RegExp(`Sandbox fault ${fault.fault_id}`));
    assert.equal(faulted.headers['retry-after'], '1');
    assert.match(String(faulted.headers['content-type']), /^application\/json/);
    // times defaults to 1: the next capture is real, and the fault is gone.
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 100 })).statusCode, 201);
    assert.deepEqual(await listFaults(t, m), []);
  });

  it('`*` matches exactly one path segment', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    await addFault(t, m, { method: 'GET', path: '/ordermanagement/v1/orders/*', status: 500, times: 5 });
    // Deeper and shallower paths do not match.
    assert.equal((await call(t, { method: 'GET', url: ordersUrl(order.order_id, '/captures'), auth: m })).statusCode, 200);
    expectError(await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m }), 500, 'INTERNAL_SERVER_ERROR');
    expectError(await call(t, { method: 'GET', url: `${ordersUrl(order.order_id)}?x=1`, auth: m }), 500, 'INTERNAL_SERVER_ERROR');
    assert.equal((await listFaults(t, m))[0]!.times_left, 3);
  });

  it('a fault applies to exactly `times` requests, also when they arrive at once', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    await addFault(t, m, { method: 'GET', path: `/ordermanagement/v1/orders/${order.order_id}`, status: 429, times: 5 });
    const answers = await Promise.all(Array.from({ length: 30 }, () => call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m })));
    const statuses = answers.map((r) => r.statusCode);
    assert.equal(statuses.filter((s) => s === 429).length, 5, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 200).length, 25);
    for (const r of answers.filter((a) => a.statusCode === 429)) {
      assert.equal(errorOf(r).error_code, 'TOO_MANY_REQUESTS');
      assert.equal(r.headers['retry-after'], '1');
    }
    assert.deepEqual(await listFaults(t, m), []);
  });

  it('the answer comes after delay_ms; with status 0 the real answer comes, only later', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    await addFault(t, m, { method: 'POST', path: CAPTURES, status: 503, delay_ms: 300 });
    const slowError = await timed(() => capture(t, m, order.order_id, { captured_amount: 100 }));
    expectError(slowError.value, 503, 'SERVICE_UNAVAILABLE');
    assert.ok(slowError.ms >= 300, `answered after ${slowError.ms} ms`);
    const slow = await addFault(t, m, { method: 'POST', path: CAPTURES, status: 0, delay_ms: 300 });
    assert.equal(slow.error_code, null);
    const slowCapture = await timed(() => capture(t, m, order.order_id, { captured_amount: 100 }));
    assert.equal(slowCapture.value.statusCode, 201, slowCapture.value.body);
    assert.ok(slowCapture.ms >= 300, `answered after ${slowCapture.ms} ms`);
    assert.equal((await getOrder(t, m, order.order_id)).captured_amount, 100);
  });

  it('a faulted capture does not use up its idempotency key: the retry with the same key captures, and replays after that', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    await addFault(t, m, { method: 'POST', path: CAPTURES, status: 503 });
    const key = { 'klarna-idempotency-key': randomUUID() };
    expectError(await capture(t, m, order.order_id, { captured_amount: 250 }, key), 503, 'SERVICE_UNAVAILABLE');
    const real = await capture(t, m, order.order_id, { captured_amount: 250 }, key);
    assert.equal(real.statusCode, 201, real.body);
    const replay = await capture(t, m, order.order_id, { captured_amount: 250 }, key);
    assert.equal(replay.statusCode, 201);
    assert.equal(replay.headers['capture-id'], real.headers['capture-id']);
    assert.equal((await getOrder(t, m, order.order_id)).captured_amount, 250);
  });

  it('error_code defaults by status and path; an explicit catalogue code is sent with the status asked for', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    const cases: [Json, string, string, number, string][] = [
      [{ status: 403 }, 'POST', '/captures', 403, 'CAPTURE_NOT_ALLOWED'],
      [{ status: 403 }, 'POST', '/cancel', 403, 'NOT_ALLOWED'],
      [{ status: 400 }, 'POST', '/cancel', 400, 'BAD_VALUE'],
      [{ status: 401 }, 'POST', '/cancel', 401, 'UNAUTHORIZED'],
      [{ status: 404 }, 'POST', '/cancel', 404, 'NO_SUCH_ORDER'],
      [{ status: 500 }, 'POST', '/cancel', 500, 'INTERNAL_SERVER_ERROR'],
      [{ status: 502 }, 'POST', '/cancel', 502, 'SERVICE_UNAVAILABLE'],
      [{ status: 418, error_code: 'READ_ONLY_ORDER' }, 'POST', '/cancel', 418, 'READ_ONLY_ORDER'],
      [{ status: 503, error_code: 'CANCEL_NOT_ALLOWED' }, 'POST', '/cancel', 503, 'CANCEL_NOT_ALLOWED'],
    ];
    for (const [fault, method, suffix, status, code] of cases) {
      await addFault(t, m, { method, path: `/ordermanagement/v1/orders/*${suffix}`, ...fault });
      const url = ordersUrl(order.order_id, suffix);
      const res = await refusedWithoutChange(t, m, order.order_id, () => call(t, { method: 'POST', url, auth: m, body: suffix === '/captures' ? { captured_amount: 1 } : undefined }));
      expectError(res, status, code);
      if (status === 401) assert.equal(res.headers['www-authenticate'], 'Basic realm="OpenOM"');
    }
    assert.equal((await getOrder(t, m, order.order_id)).status, 'AUTHORIZED');
  });

  it('the oldest matching fault applies first', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    await addFault(t, m, { method: 'POST', path: CAPTURES, status: 500 });
    await addFault(t, m, { method: 'POST', path: `/ordermanagement/v1/orders/${order.order_id}/captures`, status: 503 });
    expectError(await capture(t, m, order.order_id, { captured_amount: 1 }), 500, 'INTERNAL_SERVER_ERROR');
    expectError(await capture(t, m, order.order_id, { captured_amount: 1 }), 503, 'SERVICE_UNAVAILABLE');
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 1 })).statusCode, 201);
  });

  it('a bad fault is 400 BAD_VALUE naming the field, and creates nothing', async () => {
    const t = ctx();
    const m = await fresh(t);
    const good = { method: 'POST', path: CAPTURES, status: 503 };
    const cases: [Json, RegExp][] = [
      [{ ...good, method: undefined }, /method/],
      [{ ...good, method: 'PO ST' }, /method/],
      [{ ...good, method: 1 }, /method/],
      [{ ...good, path: undefined }, /path/],
      [{ ...good, path: 'ordermanagement/v1/orders' }, /path/],
      [{ ...good, path: '/ordermanagement/v1/orders?x=1' }, /path/],
      [{ ...good, path: '/sandbox/v1/faults' }, /path/],
      [{ ...good, path: '/sandbox/v1/orders/*/fraud-decision' }, /path/],
      [{ ...good, path: '/admin/v1/merchants' }, /path/],
      [{ ...good, path: `/ordermanagement/${'x'.repeat(1000)}` }, /path/],
      [{ ...good, status: undefined }, /status/],
      [{ ...good, status: 200 }, /status/],
      [{ ...good, status: 399 }, /status/],
      [{ ...good, status: 600 }, /status/],
      [{ ...good, status: '503' }, /status/],
      [{ ...good, status: 503.5 }, /status/],
      [{ ...good, error_code: 'NOPE' }, /error_code/],
      [{ ...good, error_code: 'bad_value' }, /error_code/],
      [{ ...good, status: 0, delay_ms: 100, error_code: 'BAD_VALUE' }, /error_code/],
      [{ ...good, status: 0 }, /delay_ms/],
      [{ ...good, delay_ms: -1 }, /delay_ms/],
      [{ ...good, delay_ms: 20_001 }, /delay_ms/],
      [{ ...good, delay_ms: 1.5 }, /delay_ms/],
      [{ ...good, times: 0 }, /times/],
      [{ ...good, times: 1001 }, /times/],
      [{ ...good, times: '2' }, /times/],
    ];
    for (const [body, field] of cases) {
      const res = await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body });
      const e = expectError(res, 400, 'BAD_VALUE');
      assert.match(e.error_messages[0]!, field, `${JSON.stringify(body)}: ${e.error_messages[0]}`);
    }
    assert.deepEqual(await listFaults(t, m), []);
    // The limits themselves are fine; a checkout path too.
    await addFault(t, m, { ...good, delay_ms: 20_000, times: 1000 });
    await addFault(t, m, { method: 'POST', path: '/checkout/v3/orders', status: 503 });
  });

  it('a merchant may have 100 active faults; the 101st is 403 NOT_ALLOWED, and used-up faults do not count', async () => {
    const t = ctx();
    const m = await fresh(t);
    const order = await createOrder(t, m);
    for (let i = 0; i < 100; i++) await addFault(t, m, { method: 'GET', path: `/ordermanagement/v1/orders/${order.order_id}`, status: 500 });
    const refused = await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body: { method: 'GET', path: CAPTURES, status: 500 } });
    expectError(refused, 403, 'NOT_ALLOWED');
    assert.equal((await listFaults(t, m)).length, 100);
    expectError(await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m }), 500, 'INTERNAL_SERVER_ERROR');
    await addFault(t, m, { method: 'GET', path: CAPTURES, status: 500 });
    assert.equal((await listFaults(t, m)).length, 100);
  });

  it('sandbox and admin requests are never faulted', async () => {
    const t = ctx();
    const m = await fresh(t);
    // The hook is not on these scopes at all: a fault whose first segment is a wildcard still cannot be made.
    expectError(await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body: { method: 'GET', path: '/*/v1/faults', status: 503 } }), 400, 'BAD_VALUE');
    await addFault(t, m, { method: 'GET', path: '/ordermanagement/v1/orders/*', status: 503, times: 10 });
    assert.equal((await call(t, { method: 'GET', url: '/sandbox/v1/faults', auth: m })).statusCode, 200);
    assert.equal((await call(t, { method: 'GET', url: '/sandbox/v1/clock', auth: m })).statusCode, 200);
    assert.equal((await call(t, { method: 'GET', url: '/admin/v1/merchants', auth: 'admin' })).statusCode, 200);
  });

  it('the fault routes need merchant Basic auth: 401 without it', async () => {
    for (const req of [
      { method: 'GET' as const, url: '/sandbox/v1/faults' },
      { method: 'POST' as const, url: '/sandbox/v1/faults', body: { method: 'GET', path: CAPTURES, status: 503 } },
      { method: 'DELETE' as const, url: `/sandbox/v1/faults/${randomUUID()}` },
    ]) {
      expectError(await call(ctx(), { ...req, auth: 'none' }), 401, 'UNAUTHORIZED');
    }
  });

  it('two instances on one store share the faults: exactly `times` requests are faulted across them', async (test) => {
    const t = ctx();
    if (t.backend !== 'postgres') return test.skip('one in-memory SQLite database cannot be shared by two instances');
    const secondStore = openStore(t.storeConfig, { pgPoolSize: 4 });
    const second = await buildApp({ config: t.config, store: secondStore, readiness: { migrated: true }, adminTokenDigest: () => undefined });
    try {
      const m = await fresh(t);
      const order = await createOrder(t, m);
      await addFault(t, m, { method: 'GET', path: '/ordermanagement/v1/orders/*', status: 503, times: 7 });
      const auth = `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}`;
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0 ? call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m }) : second.inject({ method: 'GET', url: ordersUrl(order.order_id), headers: { authorization: auth } }),
        ),
      );
      const statuses = answers.map((r) => r.statusCode);
      assert.equal(statuses.filter((s) => s === 503).length, 7, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 200).length, 33);
    } finally {
      await second.close();
      await secondStore.close();
    }
  });
});

it('delay_ms is bounded by the server: at most OPENOM_REQUEST_TIMEOUT_MS − 10 s, so the connection does not time out first', async () => {
  const t = await startTestApp('sqlite', { OPENOM_REQUEST_TIMEOUT_MS: '15000' });
  try {
    const m = await createMerchant(t, 'Short timeout AB');
    const body = { method: 'GET', path: CAPTURES, status: 503 };
    const e = expectError(await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body: { ...body, delay_ms: 5_001 } }), 400, 'BAD_VALUE');
    assert.match(e.error_messages[0]!, /delay_ms \(must be at most 5000/);
    assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body: { ...body, delay_ms: 5_000 } })).statusCode, 201);
  } finally {
    await t.close();
  }
});

it('production mode: no fault applies, not even one left in the store', async () => {
  const t = await startTestApp('sqlite', { OPENOM_MODE: 'production' });
  try {
    const m = await createMerchant(t, 'Production faults AB');
    // A fault row put in directly (as if left from sandbox mode) is ignored.
    await t.store.db
      .insertInto('faults')
      .values({ fault_id: randomUUID(), merchant_id: m.merchant_id, method: 'GET', path: '/ordermanagement/v1/orders/*', status: 503, error_code: null, delay_ms: 0, times_left: 1, created_at: new Date().toISOString() })
      .execute();
    const order = await createOrder(t, m);
    assert.equal((await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m })).statusCode, 200);
  } finally {
    await t.close();
  }
});

it('on a real connection, a faulted POST whose body was never read leaves the keep-alive connection usable', async () => {
  const t = await startTestApp('sqlite');
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const m = await createMerchant(t, 'Keep-alive faults AB');
    const order = await createOrder(t, m);
    assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body: { method: 'POST', path: CAPTURES, status: 503, delay_ms: 50 } })).statusCode, 201);
    // About 50 KB, more than one read from the socket.
    const body = JSON.stringify({ captured_amount: 100, shipping_info: Array.from({ length: 50 }, () => ({ tracking_uri: `https://example.com/${'x'.repeat(1000)}` })) });
    const request = requestHead(`POST ${ordersUrl(order.order_id, '/captures')} HTTP/1.1`, {
      Host: `127.0.0.1:${port}`,
      Authorization: basicAuth(m),
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
    }) + body;
    const conn = await RawConnection.open(port);
    try {
      conn.write(request);
      const faulted = await conn.nextResponse();
      assert.equal(faulted?.status, 503, conn.pending());
      conn.write(request);
      const real = await conn.nextResponse();
      assert.equal(real?.status, 201, JSON.stringify(real));
    } finally {
      conn.close();
    }
    assert.equal((await getOrder(t, m, order.order_id)).captured_amount, 100);
  } finally {
    await t.close();
  }
});
