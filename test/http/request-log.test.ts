// The JSON log of a real process: LOG_TIME=iso timestamps, order_id and error_code on request
// lines that had them, and no info lines for health probes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, spawnOpenOM, waitForStatus, type RunningServer } from '../support/process.js';

const ADMIN = { authorization: 'Bearer log-admin-token-0123456789' };
const SHOP = { authorization: `Basic ${Buffer.from('log_shop:log-shop-password').toString('base64')}` };

interface LogLine {
  time: unknown;
  msg: string;
  route?: string;
  status?: number;
  order_id?: string;
  error_code?: string;
}

describe('request log lines (LOG_TIME=iso, LOG_LEVEL=info)', () => {
  let server: RunningServer;
  let base = '';
  const lines = () =>
    server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawnOpenOM({
      PORT: String(port),
      DATABASE_URL: 'sqlite::memory:',
      LOG_LEVEL: 'info',
      LOG_TIME: 'iso',
      OPENOM_ADMIN_TOKEN: ADMIN.authorization.slice('Bearer '.length),
      OPENOM_SANDBOX_USERNAME: 'log_shop',
      OPENOM_SANDBOX_PASSWORD: 'log-shop-password',
    });
    await waitForStatus(`${base}/health/ready`, 200, 30_000, server);
  });
  after(async () => server.stop());

  it('every line carries an ISO 8601 time', async () => {
    const all = lines();
    assert.ok(all.length > 0);
    for (const line of all) assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, JSON.stringify(line));
  });

  it('order requests log their order_id, and error responses their error_code; health probes are not logged at info', async () => {
    const missing = '00000000-0000-4000-8000-00000000dead';
    assert.equal((await fetch(`${base}/ordermanagement/v1/orders/${missing}`, { headers: SHOP })).status, 404);
    const merchants = (await (await fetch(`${base}/admin/v1/merchants`, { headers: ADMIN })).json()) as { merchants: { merchant_id: string }[] };
    const order = {
      purchase_country: 'SE',
      purchase_currency: 'SEK',
      order_amount: 1000,
      order_lines: [{ name: 'Gift card', type: 'gift_card', quantity: 1, unit_price: 1000, total_amount: 1000 }],
    };
    const created = await fetch(`${base}/admin/v1/merchants/${merchants.merchants[0]!.merchant_id}/orders`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    const orderId = ((await created.json()) as { order_id: string }).order_id;
    const capture = (amount: number) =>
      fetch(`${base}/ordermanagement/v1/orders/${orderId}/captures`, { method: 'POST', headers: { ...SHOP, 'content-type': 'application/json' }, body: JSON.stringify({ captured_amount: amount }) });
    assert.equal((await capture(600)).status, 201);
    assert.equal((await capture(600)).status, 403);
    for (const probe of ['live', 'ready']) assert.equal((await fetch(`${base}/health/${probe}`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last lines reach stdout

    const requests = lines().filter((l) => l.msg === 'request');
    const find = (route: string, status: number) => requests.find((l) => l.route === route && l.status === status);
    const notFound = find('/ordermanagement/v1/orders/:order_id', 404);
    assert.ok(notFound, JSON.stringify(requests));
    assert.equal(notFound.order_id, missing);
    assert.equal(notFound.error_code, 'NO_SUCH_ORDER');
    const captured = find('/ordermanagement/v1/orders/:order_id/captures', 201);
    assert.equal(captured?.order_id, orderId);
    assert.equal(captured?.error_code, undefined);
    const refused = find('/ordermanagement/v1/orders/:order_id/captures', 403);
    assert.equal(refused?.order_id, orderId);
    assert.equal(refused?.error_code, 'CAPTURE_NOT_ALLOWED');
    assert.deepEqual(
      requests.filter((l) => l.route?.startsWith('/health/')),
      [],
    );
  });
});
