// Test harness: a real OpenOM app on a real, fresh store (in-memory SQLite, or a throw-away
// PostgreSQL database), driven over HTTP with app.inject. Every HTTP suite runs on both.
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyBaseLogger, FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { precompiledValidatorFactory } from '../../src/http/precompiledValidators.js';
import { precompiledValidators } from './precompiledValidators.js';
import { isErrorCode } from '../../src/domain/errorCodes.js';
import { bootstrap } from '../../src/bootstrap.js';
import { loadConfig, type Config, type StoreConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrations.js';
import { startWorker } from '../../src/worker/worker.js';

export type Backend = 'sqlite' | 'postgres';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const PG_BASE_URL = process.env.OPENOM_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<boolean> | undefined;

/** Whether the test PostgreSQL answers; without it the PostgreSQL suites skip, except in CI. */
export function postgresReachable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgReachable;
}

/** Creates an empty PostgreSQL database for one test file; returns its URL and a dropper. */
export async function createTempPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `openom_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_BASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_BASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_BASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface MerchantCredentials {
  merchant_id: string;
  username: string;
  password: string;
}

export interface TestApp {
  backend: Backend;
  app: FastifyInstance;
  store: Store;
  config: Config;
  /** The store's URL (PostgreSQL) or path (SQLite), for tests that start extra processes. */
  storeConfig: StoreConfig;
  close(): Promise<void>;
}

/**
 * Env for a test app that runs the job worker (webhooks, notifications, expiry…), as every real
 * instance does. Without it a test app runs none, so background work never changes a store that a
 * test is comparing.
 */
export const WITH_WORKER = { OPENOM_WORKER_CONCURRENCY: '8' };

/** With precompiled validators, every schema must have one (the build saw every route). */
function missingValidator(route: { method: string; url: string; httpPart: string }): never {
  throw new Error(`no precompiled validator for ${route.method} ${route.url} ${route.httpPart}`);
}

/** logger: where the app logs (default nowhere), for tests of what is logged. */
export async function startTestApp(backend: Backend, env: Record<string, string> = {}, logger?: FastifyBaseLogger): Promise<TestApp> {
  let storeConfig: StoreConfig;
  let drop = async () => {};
  if (backend === 'postgres') {
    const db = await createTempPostgresDatabase();
    storeConfig = { kind: 'postgres', url: db.url };
    drop = db.drop;
  } else {
    storeConfig = { kind: 'sqlite', path: ':memory:' };
  }
  const config = { ...loadConfig({ OPENOM_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent', OPENOM_WORKER_CONCURRENCY: '0', ...env }), store: storeConfig };
  const store = openStore(storeConfig, { pgPoolSize: config.pgPoolSize, orderQueueLimit: config.orderQueueLimit, merchantClocks: config.mode === 'sandbox' });
  await migrate(store);
  const boot = await bootstrap(store, config);
  const buildValidator = process.env.OPENOM_TEST_PRECOMPILED_VALIDATORS ? precompiledValidatorFactory(await precompiledValidators(), missingValidator) : undefined;
  const app = await buildApp({ config, store, readiness: { migrated: true }, adminTokenDigest: () => boot.adminTokenDigest, buildValidator, ...(logger ? { logger } : {}) });
  await app.ready();
  const worker = config.workerConcurrency > 0 ? startWorker(store, { concurrency: config.workerConcurrency, log: pino({ level: config.logLevel }) }) : undefined;
  return {
    backend,
    app,
    store,
    config,
    storeConfig,
    close: async () => {
      await worker?.stop(5_000);
      await app.close();
      await store.close();
      await drop();
    },
  };
}

/**
 * Inside a describe: whether the PostgreSQL tests can run. When the server is unreachable it
 * registers a skipped test saying so, except under CI, where it fails instead of hiding.
 */
export async function postgresOrSkip(): Promise<boolean> {
  if (await postgresReachable()) return true;
  if (process.env.CI) throw new Error(`PostgreSQL at ${PG_BASE_URL} is unreachable and CI is set: refusing to skip`);
  it(`PostgreSQL tests skipped: ${PG_BASE_URL} is unreachable`, { skip: true }, () => {});
  return false;
}

/**
 * Declares the same suite once per backend. The PostgreSQL run is skipped with a message when
 * the server is unreachable, unless CI is set: then the suite fails instead of hiding.
 */
export function describeOnBothStores(name: string, suite: (ctx: () => TestApp) => void, env: Record<string, string> = {}, logger?: FastifyBaseLogger): void {
  for (const backend of ['sqlite', 'postgres'] as const) {
    describe(`${name} [${backend}]`, { concurrency: false }, async () => {
      if (backend === 'postgres' && !(await postgresOrSkip())) return;
      let testApp: TestApp | undefined;
      before(async () => {
        testApp = await startTestApp(backend, env, logger);
      });
      after(async () => {
        await testApp?.close();
      });
      suite(() => {
        if (!testApp) throw new Error('test app not started');
        return testApp;
      });
    });
  }
}

// ---------- HTTP helpers ----------

/** Makes the test app listen on a free port of 127.0.0.1, for tests over real sockets; returns the port. */
export async function listenOnLocalPort(t: TestApp): Promise<number> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

export type Json = Record<string, unknown>;

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  auth?: MerchantCredentials | 'admin' | 'none';
}

export async function call(t: TestApp, c: Call): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.auth === 'admin') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  else if (c.auth && c.auth !== 'none') {
    headers.authorization = `Basic ${Buffer.from(`${c.auth.username}:${c.auth.password}`).toString('base64')}`;
  }
  let payload: string | undefined;
  if (c.body !== undefined) {
    payload = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    headers['content-type'] ??= 'application/json';
  }
  return t.app.inject({ method: c.method, url: c.url, headers, payload });
}

export async function createMerchant(t: TestApp, name = 'Shop AB'): Promise<MerchantCredentials> {
  const res = await call(t, { method: 'POST', url: '/admin/v1/merchants', auth: 'admin', body: { name } });
  if (res.statusCode !== 201) throw new Error(`create merchant: ${res.statusCode} ${res.body}`);
  return res.json() as MerchantCredentials;
}

/** A valid intake body: two lines adding up to order_amount. */
export function orderBody(overrides: Json = {}, amount = 10_000): Json {
  const shipping = 1_000;
  return {
    purchase_country: 'SE',
    purchase_currency: 'SEK',
    locale: 'sv-SE',
    order_amount: amount,
    order_tax_amount: 0,
    order_lines: [
      { type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: amount - shipping, tax_rate: 0, total_amount: amount - shipping, total_tax_amount: 0 },
      { type: 'shipping_fee', reference: 'SHIP', name: 'Shipping', quantity: 1, unit_price: shipping, tax_rate: 0, total_amount: shipping, total_tax_amount: 0 },
    ],
    billing_address: { given_name: 'John', family_name: 'Testsson', street_address: 'Testgatan 10', postal_code: '12345', city: 'Vetlanda', country: 'SE', email: 'john@example.com' },
    shipping_address: { given_name: 'John', family_name: 'Testsson', street_address: 'Testgatan 10', postal_code: '12345', city: 'Vetlanda', country: 'SE', email: 'john@example.com' },
    ...overrides,
  };
}

export async function createOrder(t: TestApp, merchant: MerchantCredentials, overrides: Json = {}, amount = 10_000): Promise<Json & { order_id: string }> {
  const res = await call(t, { method: 'POST', url: `/admin/v1/merchants/${merchant.merchant_id}/orders`, auth: 'admin', body: orderBody(overrides, amount) });
  if (res.statusCode !== 201) throw new Error(`create order: ${res.statusCode} ${res.body}`);
  return res.json() as Json & { order_id: string };
}

export const ordersUrl = (orderId: string, rest = '') => `/ordermanagement/v1/orders/${orderId}${rest}`;

export async function getOrder(t: TestApp, merchant: MerchantCredentials, orderId: string): Promise<Json> {
  const res = await call(t, { method: 'GET', url: ordersUrl(orderId), auth: merchant });
  if (res.statusCode !== 200) throw new Error(`get order: ${res.statusCode} ${res.body}`);
  return res.json() as Json;
}

export async function capture(t: TestApp, merchant: MerchantCredentials, orderId: string, body: Json, headers: Record<string, string> = {}) {
  return call(t, { method: 'POST', url: ordersUrl(orderId, '/captures'), auth: merchant, body, headers });
}

export async function refund(t: TestApp, merchant: MerchantCredentials, orderId: string, body: Json, headers: Record<string, string> = {}) {
  return call(t, { method: 'POST', url: ordersUrl(orderId, '/refunds'), auth: merchant, body, headers });
}

/** Asserts the Klarna error body, with a code from the catalogue (src/domain/errorCodes.ts), and returns it. */
export function errorOf(res: LightMyRequestResponse): { correlation_id: string; error_code: string; error_messages: string[] } {
  const body = res.json() as { correlation_id: string; error_code: string; error_messages: string[] };
  if (typeof body.correlation_id !== 'string' || typeof body.error_code !== 'string' || !Array.isArray(body.error_messages)) {
    throw new Error(`not a Klarna error body: ${res.body}`);
  }
  if (body.correlation_id !== res.headers['klarna-correlation-id']) throw new Error('correlation_id differs from the header');
  if (!isErrorCode(body.error_code)) throw new Error(`error_code ${body.error_code} is not in the catalogue`);
  return body;
}
