// Reliability test support: several real OpenOM processes on real ports against one store, a
// bounded-concurrency HTTP client that never hangs, and the scenario checks shared by the
// PostgreSQL and SQLite race suites.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { StoreConfig } from '../../src/config.js';
import { openStore } from '../../src/store/dialect.js';
import { checkLedger, type LedgerReport } from '../../src/store/ledger.js';
import { orderBody, type Json } from '../support/harness.js';
import { freePort, spawnOpenOM, waitForStatus, type RunningServer } from '../support/process.js';

export const ADMIN_TOKEN = 'reliability-admin-token-0123456789';
export const SANDBOX_USERNAME = 'reliability_sandbox';
export const SANDBOX_PASSWORD = 'reliability-sandbox-password-42';

/** Env every spawned instance gets: fixed secrets (nothing generated or printed), quiet logs. */
export function instanceEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    OPENOM_ADMIN_TOKEN: ADMIN_TOKEN,
    OPENOM_SANDBOX_USERNAME: SANDBOX_USERNAME,
    OPENOM_SANDBOX_PASSWORD: SANDBOX_PASSWORD,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface Instance {
  port: number;
  base: string;
  server: RunningServer;
  env: Record<string, string>;
}

export async function startInstance(env: Record<string, string>, port?: number): Promise<Instance> {
  const p = port ?? (await freePort());
  const server = spawnOpenOM({ ...env, PORT: String(p) });
  const base = `http://127.0.0.1:${p}`;
  try {
    await waitForStatus(`${base}/health/ready`, 200, 60_000, server);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { port: p, base, server, env };
}

/** Starts n instances one after another (migrations are safe either way; this keeps 2 cores calm). */
export async function startCluster(n: number, env: Record<string, string>): Promise<Instance[]> {
  const list: Instance[] = [];
  try {
    // Start the first alone (it migrates), then the rest together.
    list.push(await startInstance(env));
    list.push(...(await Promise.all(Array.from({ length: n - 1 }, () => startInstance(env)))));
  } catch (err) {
    await stopAll(list);
    throw err;
  }
  return list;
}

export async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => i.server.stop()));
}

// ---------- HTTP ----------

export interface Reply {
  status: number; // 0: no answer (connection refused/reset, or timed out)
  headers: Headers;
  text: string;
  error?: string;
  ms: number;
}

export interface Req {
  method?: string;
  path: string;
  body?: unknown;
  auth?: { username: string; password: string } | 'admin' | 'none';
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export const basicAuth = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** One request; never throws, never hangs: a missing answer is status 0 with the reason. */
export async function send(base: string, req: Req): Promise<Reply> {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.auth === 'admin') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  else if (req.auth && req.auth !== 'none') headers.authorization = basicAuth(req.auth.username, req.auth.password);
  let body: string | undefined;
  if (req.body !== undefined) {
    body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }
  const started = performance.now();
  try {
    const res = await fetch(base + req.path, {
      method: req.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: AbortSignal.timeout(req.timeoutMs ?? 20_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, ms: performance.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { status: 0, headers: new Headers(), text: '', error: e.cause?.code ?? e.cause?.message ?? e.name ?? e.message, ms: performance.now() - started };
  }
}

/** Runs fn over items with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface KlarnaError {
  correlation_id: string;
  error_code: string;
  error_messages: string[];
}

/** Asserts the Klarna error body whose correlation id matches the header, and returns it. */
export function klarnaError(r: Reply): KlarnaError {
  let body: KlarnaError;
  try {
    body = JSON.parse(r.text) as KlarnaError;
  } catch {
    throw new Error(`status ${r.status} without a JSON error body: ${r.text.slice(0, 200)}`);
  }
  assert.equal(typeof body.error_code, 'string', `no error_code in ${r.text}`);
  assert.ok(Array.isArray(body.error_messages) && body.error_messages.length > 0, `no error_messages in ${r.text}`);
  assert.equal(body.correlation_id, r.headers.get('klarna-correlation-id'), 'correlation_id differs from the header');
  return body;
}

/** 503 as the contract wants it: SERVICE_UNAVAILABLE body and a Retry-After header. */
export function assertUnavailable(r: Reply): void {
  assert.equal(r.status, 503);
  assert.equal(klarnaError(r).error_code, 'SERVICE_UNAVAILABLE', r.text);
  assert.ok(r.headers.get('retry-after'), '503 without Retry-After');
}

// ---------- fixtures ----------

export interface Merchant {
  merchant_id: string;
  username: string;
  password: string;
}

export async function createMerchant(base: string, name = 'Reliability AB'): Promise<Merchant> {
  const r = await send(base, { method: 'POST', path: '/admin/v1/merchants', auth: 'admin', body: { name } });
  assert.equal(r.status, 201, r.text);
  return JSON.parse(r.text) as Merchant;
}

export async function createOrder(base: string, merchant: Merchant, amount: number): Promise<string> {
  const r = await send(base, { method: 'POST', path: `/admin/v1/merchants/${merchant.merchant_id}/orders`, auth: 'admin', body: orderBody({}, amount) });
  assert.equal(r.status, 201, r.text);
  return (JSON.parse(r.text) as { order_id: string }).order_id;
}

export const orderPath = (orderId: string, rest = '') => `/ordermanagement/v1/orders/${orderId}${rest}`;

export interface OrderJson extends Json {
  order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  status: string;
  captures: { capture_id: string; captured_amount: number; refunded_amount: number }[];
  refunds: { refund_id: string; refunded_amount: number }[];
}

export async function getOrder(base: string, merchant: Merchant, orderId: string): Promise<OrderJson> {
  const r = await send(base, { path: orderPath(orderId), auth: merchant });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as OrderJson;
}

/** Runs the ledger check from the test process on the store the instances share. */
export async function ledgerOf(storeConfig: StoreConfig): Promise<LedgerReport> {
  const store = openStore(storeConfig, { pgPoolSize: 2 });
  try {
    return await checkLedger(store);
  } finally {
    await store.close();
  }
}

export async function assertLedgerClean(storeConfig: StoreConfig, label: string): Promise<LedgerReport> {
  const report = await ledgerOf(storeConfig);
  console.log(`[${label}] ledger check: ${report.orders} orders, ${report.captures} captures, ${report.refunds} refunds, ${report.events} events, ${report.violations.length} violations`);
  assert.deepEqual(report.violations, [], 'ledger check found violations');
  return report;
}

export function storeConfigOf(databaseUrl: string): StoreConfig {
  return databaseUrl.startsWith('sqlite:') ? { kind: 'sqlite', path: databaseUrl.slice('sqlite:'.length) } : { kind: 'postgres', url: databaseUrl };
}

export const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** Open transactions and connections on a PostgreSQL database, seen from outside. */
export async function pgActivity(adminUrl: string, dbName: string): Promise<{ connections: number; inTransaction: number }> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query<{ connections: string; in_tx: string }>(
      `select count(*) as connections, count(*) filter (where xact_start is not null or state like 'idle in transaction%') as in_tx
         from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
      [dbName],
    );
    return { connections: Number(r.rows[0]!.connections), inTransaction: Number(r.rows[0]!.in_tx) };
  } finally {
    await c.end();
  }
}

// ---------- race scenarios (shared by PostgreSQL and SQLite) ----------

export interface Tally {
  fired: number;
  acknowledged: number;
  refused: number;
  other: number;
}

function pick<T>(list: T[], i: number): T {
  return list[i % list.length]!;
}

/** 503s seen (each checked: SERVICE_UNAVAILABLE body, Retry-After) and retried, per scenario. */
let retried503 = 0;

/**
 * Sends one mutation under its own idempotency key, as a careful client does; a 503 (e.g. the
 * database pool saturated on a loaded CI machine) is checked and retried with the same key on the
 * next instance, so every operation ends in a definitive 2xx or 4xx, applied at most once.
 */
async function decided(instances: Instance[], i: number, req: Req): Promise<Reply> {
  const key = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const r = await send(pick(instances, i + attempt).base, { ...req, headers: { ...(req.headers ?? {}), 'klarna-idempotency-key': key } });
    if (r.status !== 503 || attempt >= 50) return r;
    assertUnavailable(r);
    retried503++;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function take503s(): number {
  const n = retried503;
  retried503 = 0;
  return n;
}

/** n concurrent captures with random amounts on one order, spread over the instances. */
export async function captureRace(instances: Instance[], merchant: Merchant, n: number, label: string): Promise<Tally> {
  const orderAmount = 100_000;
  const orderId = await createOrder(instances[0]!.base, merchant, orderAmount);
  const amounts = Array.from({ length: n }, () => randomInt(1, 500));
  // Readers in parallel: every GET must show a consistent order (captures add up to captured_amount).
  let reading = true;
  let reads = 0;
  const readers = Promise.all(
    instances.map(async (inst) => {
      while (reading) {
        const o = await getOrder(inst.base, merchant, orderId);
        assert.equal(o.captures.reduce((s, c) => s + c.captured_amount, 0), o.captured_amount, 'a GET showed captures that do not add up');
        reads++;
      }
    }),
  );
  const replies = await pool(amounts, 64, (amount, i) =>
    decided(instances, i, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: amount, description: `race ${i}` } }),
  );
  reading = false;
  await readers;
  let ackSum = 0;
  const ackIds = new Set<string>();
  const tally: Tally = { fired: n, acknowledged: 0, refused: 0, other: 0 };
  replies.forEach((r, i) => {
    if (r.status === 201) {
      tally.acknowledged++;
      ackSum += amounts[i]!;
      const id = r.headers.get('capture-id');
      assert.ok(id, '201 without Capture-Id');
      assert.equal(new URL(r.headers.get('location') ?? '').pathname, orderPath(orderId, `/captures/${id}`));
      ackIds.add(id);
    } else {
      tally.refused++;
      assert.equal(r.status, 403, `unexpected ${r.status} ${r.error ?? ''} ${r.text}`);
      assert.equal(klarnaError(r).error_code, 'CAPTURE_NOT_ALLOWED');
    }
  });
  const order = await getOrder(instances[0]!.base, merchant, orderId);
  assert.equal(order.captured_amount, ackSum, 'captured_amount is not the sum of acknowledged captures');
  assert.ok(order.captured_amount <= order.order_amount);
  assert.deepEqual(new Set(order.captures.map((c) => c.capture_id)), ackIds, 'captures list differs from the acknowledged ones');
  const list = await send(pick(instances, 1).base, { path: orderPath(orderId, '/captures'), auth: merchant });
  assert.deepEqual(new Set((JSON.parse(list.text) as { capture_id: string }[]).map((c) => c.capture_id)), ackIds);
  console.log(`[${label}] capture race: fired ${n} over ${instances.length} process(es), acknowledged ${tally.acknowledged} (sum ${ackSum} = captured_amount ${order.captured_amount} of ${order.order_amount}), refused ${tally.refused} (403 CAPTURE_NOT_ALLOWED), 503 retried ${take503s()}, 500 0, lost 0; ${reads} consistent GETs alongside`);
  return tally;
}

/** n concurrent refunds with random amounts on one fully captured order. */
export async function refundRace(instances: Instance[], merchant: Merchant, n: number, label: string): Promise<Tally> {
  const orderAmount = 100_000;
  const orderId = await createOrder(instances[0]!.base, merchant, orderAmount);
  // Three captures, so refunds are allocated across several of them.
  for (const part of [50_000, 30_000, 20_000]) {
    const c = await send(instances[0]!.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: part } });
    assert.equal(c.status, 201, c.text);
  }
  const amounts = Array.from({ length: n }, () => randomInt(1, 500));
  const replies = await pool(amounts, 64, (amount, i) =>
    decided(instances, i, { path: orderPath(orderId, '/refunds'), auth: merchant, body: { refunded_amount: amount, description: `race ${i}` } }),
  );
  let ackSum = 0;
  const ackIds = new Set<string>();
  const tally: Tally = { fired: n, acknowledged: 0, refused: 0, other: 0 };
  replies.forEach((r, i) => {
    if (r.status === 201) {
      tally.acknowledged++;
      ackSum += amounts[i]!;
      const id = r.headers.get('refund-id');
      assert.ok(id, '201 without Refund-Id');
      assert.equal(new URL(r.headers.get('location') ?? '').pathname, orderPath(orderId, `/refunds/${id}`));
      ackIds.add(id);
    } else {
      tally.refused++;
      assert.equal(r.status, 403, `unexpected ${r.status} ${r.error ?? ''} ${r.text}`);
      assert.equal(klarnaError(r).error_code, 'REFUND_NOT_ALLOWED');
    }
  });
  const order = await getOrder(instances[0]!.base, merchant, orderId);
  assert.equal(order.refunded_amount, ackSum, 'refunded_amount is not the sum of acknowledged refunds');
  assert.ok(order.refunded_amount <= order.captured_amount);
  assert.deepEqual(new Set(order.refunds.map((r) => r.refund_id)), ackIds, 'refunds list differs from the acknowledged ones');
  assert.equal(order.captures.reduce((s, c) => s + c.refunded_amount, 0), ackSum, 'refunds allocated to captures do not add up');
  console.log(`[${label}] refund race: fired ${n}, acknowledged ${tally.acknowledged} (sum ${ackSum} = refunded_amount ${order.refunded_amount} of captured ${order.captured_amount}), refused ${tally.refused} (403 REFUND_NOT_ALLOWED), 503 retried ${take503s()}, 500 0, lost 0`);
  return tally;
}

type MixOp = 'capture' | 'refund' | 'cancel' | 'release';

/** n concurrent captures, refunds, cancels and releases on one order. */
export async function mixedRace(instances: Instance[], merchant: Merchant, n: number, label: string): Promise<Tally> {
  const orderId = await createOrder(instances[0]!.base, merchant, 100_000);
  // Start with one capture so a cancel cannot win at once and end the race before it starts.
  const first = await send(instances[0]!.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: 1_000 } });
  assert.equal(first.status, 201, first.text);
  // Releases only in the second half, so captures get a chance to race refunds first.
  const ops = Array.from({ length: n }, (_, i): { op: MixOp; amount: number } => {
    const x = Math.random();
    const op: MixOp = x < 0.55 ? 'capture' : x < 0.93 ? 'refund' : x < 0.97 || i < n / 2 ? 'cancel' : 'release';
    return { op, amount: randomInt(1, 400) };
  });
  const replies = await pool(ops, 64, ({ op, amount }, i) => {
    switch (op) {
      case 'capture':
        return decided(instances, i, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: amount } });
      case 'refund':
        return decided(instances, i, { path: orderPath(orderId, '/refunds'), auth: merchant, body: { refunded_amount: amount } });
      case 'cancel':
        return decided(instances, i, { method: 'POST', path: orderPath(orderId, '/cancel'), auth: merchant });
      case 'release':
        return decided(instances, i, { method: 'POST', path: orderPath(orderId, '/release-remaining-authorization'), auth: merchant });
    }
  });
  const expected: Record<MixOp, { status: number; code: string }> = {
    capture: { status: 201, code: 'CAPTURE_NOT_ALLOWED' },
    refund: { status: 201, code: 'REFUND_NOT_ALLOWED' },
    cancel: { status: 204, code: 'CANCEL_NOT_ALLOWED' },
    release: { status: 204, code: 'NOT_ALLOWED' },
  };
  let captured = 1_000;
  let refunded = 0;
  const acked: Record<MixOp, number> = { capture: 0, refund: 0, cancel: 0, release: 0 };
  const tally: Tally = { fired: n, acknowledged: 0, refused: 0, other: 0 };
  replies.forEach((r, i) => {
    const { op, amount } = ops[i]!;
    if (r.status === expected[op].status) {
      tally.acknowledged++;
      acked[op]++;
      if (op === 'capture') captured += amount;
      if (op === 'refund') refunded += amount;
    } else {
      tally.refused++;
      assert.equal(r.status, 403, `${op}: unexpected ${r.status} ${r.error ?? ''} ${r.text}`);
      assert.equal(klarnaError(r).error_code, expected[op].code, `${op}: ${r.text}`);
    }
  });
  const order = await getOrder(instances[0]!.base, merchant, orderId);
  assert.equal(order.captured_amount, captured, 'captured_amount is not the sum of acknowledged captures');
  assert.equal(order.refunded_amount, refunded, 'refunded_amount is not the sum of acknowledged refunds');
  assert.ok(order.refunded_amount <= order.captured_amount && order.captured_amount <= order.order_amount);
  assert.equal(order.captures.length, acked.capture + 1);
  assert.equal(order.refunds.length, acked.refund);
  assert.equal(acked.cancel, 0, 'an order with a capture was cancelled');
  assert.ok(acked.release <= 1, 'the remaining authorization was released twice');
  if (acked.release === 1) assert.equal(order.status, 'CAPTURED');
  console.log(`[${label}] mixed race: fired ${n} (capture/refund/cancel/release), acknowledged ${tally.acknowledged} (captures ${acked.capture}, refunds ${acked.refund}, releases ${acked.release}, cancels ${acked.cancel}), refused ${tally.refused} (403), 503 retried ${take503s()}, 500 0; order ${order.status} captured ${order.captured_amount} refunded ${order.refunded_amount}`);
  return tally;
}

/** n concurrent requests with one idempotency key: one capture, n identical answers. */
export async function idempotentRace(instances: Instance[], merchant: Merchant, n: number, label: string): Promise<Tally> {
  const orderId = await createOrder(instances[0]!.base, merchant, 100_000);
  const key = randomUUID();
  const replies = await pool(Array.from({ length: n }, (_, i) => i), n, (i) =>
    send(pick(instances, i).base, {
      path: orderPath(orderId, '/captures'),
      auth: merchant,
      headers: { 'klarna-idempotency-key': key },
      // Only the first request's body counts; the others differ on purpose.
      body: { captured_amount: 1_000 + i },
    }),
  );
  const signature = (r: Reply) =>
    JSON.stringify({ status: r.status, body: r.text, location: r.headers.get('location'), capture: r.headers.get('capture-id'), error: r.error });
  const distinct = new Set(replies.map(signature));
  assert.equal(distinct.size, 1, `responses differ:\n${[...distinct].join('\n')}`);
  const r = replies[0]!;
  assert.equal(r.status, 201, r.text);
  const order = await getOrder(instances[0]!.base, merchant, orderId);
  assert.equal(order.captures.length, 1, 'the key performed the capture more than once');
  assert.equal(order.captures[0]!.capture_id, r.headers.get('capture-id'));
  assert.ok(order.captured_amount >= 1_000 && order.captured_amount < 1_000 + n);
  console.log(`[${label}] idempotent race: ${n} requests with one key over ${instances.length} process(es) → 1 capture (${order.captured_amount}), ${distinct.size} distinct response (201, same Location/Capture-Id)`);
  return { fired: n, acknowledged: n, refused: 0, other: 0 };
}
