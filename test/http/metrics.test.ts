// GET /metrics (CONTRACT §9): Prometheus text format, route templates as labels (never raw ids),
// commands by operation and outcome, idempotent replays, store connections, outbox jobs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { call, capture, createMerchant, createOrder, describeOnBothStores, ordersUrl, startTestApp, type MerchantCredentials } from '../support/harness.js';
import { freePort, spawnOpenOM, waitForStatus } from '../support/process.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text exposition format (0.0.4): throws on any line it cannot read. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.match(meta[3]!, /^(counter|gauge|histogram|summary|untyped)$/, line);
        typed.add(meta[2]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[3] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = JSON.parse(pair.slice(eq + 1)) as string;
    }
    const family = m[1]!.replace(/_(bucket|sum|count)$/, '');
    assert.ok(typed.has(m[1]!) || typed.has(family), `sample without a TYPE line: ${line}`);
    samples.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describeOnBothStores('metrics', (ctx) => {
  let m: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Metrics AB');
  });

  const scrape = async () => {
    const res = await call(ctx(), { method: 'GET', url: '/metrics', auth: 'admin' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return parsePrometheus(res.body);
  };

  it('needs the admin token on the API port: 401 without it or with merchant credentials', async () => {
    assert.equal((await call(ctx(), { method: 'GET', url: '/metrics', auth: 'none' })).statusCode, 401);
    assert.equal((await call(ctx(), { method: 'GET', url: '/metrics', auth: m })).statusCode, 401);
  });

  it('counts requests and latency by route template and status, never by raw path', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    assert.equal((await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m })).statusCode, 200);
    assert.equal((await call(t, { method: 'GET', url: ordersUrl(randomUUID()), auth: m })).statusCode, 404);
    const samples = await scrape();
    const route = '/ordermanagement/v1/orders/:order_id';
    assert.ok(find(samples, 'openom_http_requests_total', { method: 'GET', route, status: '200' })[0]!.value >= 1);
    assert.ok(find(samples, 'openom_http_requests_total', { method: 'GET', route, status: '404' })[0]!.value >= 1);
    assert.ok(find(samples, 'openom_http_request_duration_seconds_count', { method: 'GET', route, status: '200' })[0]!.value >= 1);
    assert.ok(find(samples, 'openom_http_request_duration_seconds_bucket', { route, le: '+Inf' }).length > 0);
    assert.ok(!samples.some((s) => Object.values(s.labels).some((v) => v.includes(order.order_id))), 'a raw order id became a label value');
  });

  it('counts commands by operation and outcome, refusals with their error code, and idempotent replays', async () => {
    const t = ctx();
    const order = await createOrder(t, m, {}, 10_000);
    const headers = { 'klarna-idempotency-key': randomUUID() };
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 1_000 }, headers)).statusCode, 201);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 1_000 }, headers)).statusCode, 201);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 50_000 })).statusCode, 403);
    const samples = await scrape();
    const operation = 'POST /ordermanagement/v1/orders/:order_id/captures';
    assert.ok(find(samples, 'openom_commands_total', { operation, outcome: 'applied' })[0]!.value >= 1);
    assert.ok(find(samples, 'openom_commands_total', { operation, outcome: 'refused', code: 'CAPTURE_NOT_ALLOWED' })[0]!.value >= 1);
    assert.ok(find(samples, 'openom_idempotent_replays_total', { operation })[0]!.value >= 1);
  });

  it('reports store connections and pending outbox jobs', async () => {
    await createOrder(ctx(), m);
    const samples = await scrape();
    assert.ok(find(samples, 'openom_store_connections', {}).length > 0);
    // Every order has an expiry timer pending in the outbox.
    assert.ok(find(samples, 'openom_jobs', { kind: 'expiry', state: 'pending' })[0]!.value >= 1);
  });
});

it('with OPENOM_METRICS_PORT, /metrics is served there without auth and not on the API port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openom-metrics-'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const server = spawnOpenOM({
    DATABASE_URL: `sqlite:${join(dir, 'openom.sqlite')}`,
    PORT: String(port),
    OPENOM_METRICS_PORT: String(metricsPort),
    OPENOM_ADMIN_TOKEN: 'metrics-admin-token-0123456789',
    OPENOM_SANDBOX_USERNAME: 'metrics_sandbox',
    OPENOM_SANDBOX_PASSWORD: 'metrics-sandbox-password',
    LOG_LEVEL: 'warn',
  });
  try {
    await waitForStatus(`http://127.0.0.1:${port}/health/ready`, 200, 60_000, server);
    await fetch(`http://127.0.0.1:${port}/health/live`);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    const samples = parsePrometheus(await res.text());
    assert.ok(find(samples, 'openom_http_requests_total', { route: '/health/live' }).length > 0);
    const onApi = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer metrics-admin-token-0123456789' } });
    assert.equal(onApi.status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status, 404);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('with OPENOM_METRICS=off there is no /metrics and commands still run', async () => {
  const t = await startTestApp('sqlite', { OPENOM_METRICS: 'off' });
  try {
    const m = await createMerchant(t, 'Quiet AB');
    const order = await createOrder(t, m);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 100 })).statusCode, 201);
    const res = await call(t, { method: 'GET', url: '/metrics', auth: 'admin' });
    assert.equal(res.statusCode, 404, res.body);
  } finally {
    await t.close();
  }
});
