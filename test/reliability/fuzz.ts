// Property-based HTTP fuzzing of every route (issue 5, item 7), shared by the CI test and
// `npm run fuzz -- --runs N [--seed S] [--postgres]`. Requests go through app.inject into a real
// app on a real store. Properties, for every case:
//   - never a 5xx;
//   - every 4xx is the Klarna error body, its correlation_id equal to the Klarna-Correlation-Id header;
//   - a refused request (4xx) leaves the store byte-for-byte as it was (every table compared;
//     only the idempotency_keys table may change when the request carried a key, since a refusal
//     under a key is stored to be replayed).
import fc from 'fast-check';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { ledgerSnapshot } from '../../src/store/ledger.js';
import {
  ADMIN_TOKEN,
  capture,
  createMerchant,
  createOrder,
  orderBody,
  refund,
  startTestApp,
  type Backend,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';

type Json = Record<string, unknown>;

export interface FuzzFigures {
  cases: number;
  byStatus: Record<string, number>;
  fiveHundreds: number;
  rejectedUnchanged: number;
}

interface Fixture {
  t: TestApp;
  merchant: MerchantCredentials;
  other: MerchantCredentials;
  orderId: string;
  capturedOrderId: string;
  captureId: string;
  refundId: string;
  webhookId: string;
  deliveryId: string;
}

async function fixture(backend: Backend): Promise<Fixture> {
  // Auth throttling is per address and every injected request comes from 127.0.0.1: raise the
  // limit so valid requests keep reaching the routes after thousands of bad credentials.
  const t = await startTestApp(backend, { OPENOM_AUTH_FAILURE_LIMIT: '1000000' });
  const merchant = await createMerchant(t, 'Fuzz AB');
  const other = await createMerchant(t, 'Other AB');
  const order = await createOrder(t, merchant, {}, 1_000_000);
  const captured = await createOrder(t, merchant, {}, 1_000_000);
  const c = await capture(t, merchant, captured.order_id, { captured_amount: 500_000 });
  const r = await refund(t, merchant, captured.order_id, { refunded_amount: 1_000 });
  const hook = await t.app.inject({
    method: 'POST',
    url: '/sandbox/v1/webhooks',
    headers: { authorization: basic(merchant.username, merchant.password), 'content-type': 'application/json' },
    payload: JSON.stringify({ url: 'http://127.0.0.1:9/hooks', events: ['capture.created'] }),
  });
  const webhookId = (hook.json() as { webhook_id: string }).webhook_id;
  await capture(t, merchant, captured.order_id, { captured_amount: 1_000 });
  const delivery = await t.store.db.selectFrom('jobs').select('id').where('webhook_id', '=', webhookId).executeTakeFirstOrThrow();
  return {
    t,
    merchant,
    other,
    orderId: order.order_id,
    capturedOrderId: captured.order_id,
    captureId: String(c.headers['capture-id']),
    refundId: String(r.headers['refund-id']),
    webhookId,
    deliveryId: String(delivery.id),
  };
}

// ---------- arbitraries ----------

/** Values that break a field: wrong types, numbers as strings, 2^63, NaN-likes, unicode, deep and huge. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    '',
    '100',
    ' 100 ',
    '1e3',
    '0x10',
    'NaN',
    'Infinity',
    '-Infinity',
    'null',
    'undefined',
    '9223372036854775808',
    2 ** 63,
    -(2 ** 63),
    2 ** 53,
    Number.MAX_SAFE_INTEGER + 2,
    -1,
    0,
    1.5,
    1e308,
    -0,
    '\u0000',
    '💸'.repeat(300),
    'a'.repeat(70_000),
    '<script>alert(1)</script>',
    "'; drop table orders; --",
    {},
    [],
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    Array.from({ length: 5_000 }, (_, i) => i),
    Array.from({ length: 1_001 }, () => ({ name: 'x', quantity: 1, unit_price: 1, total_amount: 1 })),
    { __proto__: { polluted: true } },
    { constructor: { prototype: { polluted: true } } },
  ),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 4 }),
);

/** A valid body with one field broken, removed, or an unknown field added. */
function mutated(valid: Json): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  if (keys.length === 0) return fc.constant(valid);
  return fc.oneof(
    fc.constant(valid),
    fc.tuple(fc.constantFrom(...keys), nasty).map(([k, v]) => ({ ...valid, [k]: v })),
    fc.constantFrom(...keys).map((k) => {
      const copy = { ...valid };
      delete copy[k];
      return copy;
    }),
    fc.tuple(fc.string({ maxLength: 20 }), nasty).map(([k, v]) => ({ ...valid, [k]: v })),
    // One field of a nested object or array element broken.
    fc.tuple(fc.constantFrom(...keys), fc.string({ maxLength: 12 }), nasty).map(([k, inner, v]) => {
      const field = valid[k];
      if (Array.isArray(field) && field.length > 0 && typeof field[0] === 'object') {
        return { ...valid, [k]: [{ ...(field[0] as Json), [inner]: v }, ...field.slice(1)] };
      }
      if (field && typeof field === 'object') return { ...valid, [k]: { ...(field as Json), [inner]: v } };
      return { ...valid, [k]: v };
    }),
  );
}

interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: (f: Fixture, ids: Ids) => string;
  body?: (f: Fixture) => Json;
  admin?: boolean;
}

interface Ids {
  order: string;
  capture: string;
  refund: string;
  merchant: string;
  webhook: string;
  delivery: string;
}

const O = '/ordermanagement/v1/orders';
const line = { type: 'physical', reference: 'SKU-1', name: 'Thing', quantity: 1, unit_price: 100, tax_rate: 0, total_amount: 100, total_tax_amount: 0 };
const ROUTES: RouteSpec[] = [
  { method: 'GET', path: (_f, i) => `${O}/${i.order}` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/acknowledge` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/cancel` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/extend-authorization-time` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/release-remaining-authorization` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/shipping-info`, body: () => ({ shipping_info: [{ shipping_company: 'DHL', tracking_number: '123' }] }) },
  { method: 'PATCH', path: (_f, i) => `${O}/${i.order}/merchant-references`, body: () => ({ merchant_reference1: 'ref-1', merchant_reference2: 'ref-2' }) },
  { method: 'PATCH', path: (_f, i) => `${O}/${i.order}/customer-details`, body: () => ({ shipping_address: { given_name: 'A', family_name: 'B', email: 'a@example.com' } }) },
  { method: 'PATCH', path: (_f, i) => `${O}/${i.order}/authorization`, body: () => ({ order_amount: 100, order_lines: [line] }) },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/captures`, body: () => ({ captured_amount: 100, description: 'fuzz', order_lines: [line] }) },
  { method: 'GET', path: (_f, i) => `${O}/${i.order}/captures` },
  { method: 'GET', path: (_f, i) => `${O}/${i.order}/captures/${i.capture}` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/captures/${i.capture}/shipping-info`, body: () => ({ shipping_info: [{ shipping_company: 'DHL' }] }) },
  { method: 'PATCH', path: (_f, i) => `${O}/${i.order}/captures/${i.capture}/extend-due-date`, body: () => ({ number_of_days: 14 }) },
  { method: 'GET', path: (_f, i) => `${O}/${i.order}/captures/${i.capture}/extend-due-date-options` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/captures/${i.capture}/trigger-send-out` },
  { method: 'POST', path: (_f, i) => `${O}/${i.order}/refunds`, body: () => ({ refunded_amount: 100, description: 'fuzz' }) },
  { method: 'GET', path: (_f, i) => `${O}/${i.order}/refunds/${i.refund}` },
  { method: 'POST', path: () => '/admin/v1/merchants', body: () => ({ name: 'Fuzzed AB' }), admin: true },
  { method: 'GET', path: () => '/admin/v1/merchants', admin: true },
  { method: 'POST', path: (_f, i) => `/admin/v1/merchants/${i.merchant}/orders`, body: () => orderBody({}, 10_000), admin: true },
  { method: 'POST', path: () => '/sandbox/v1/webhooks', body: () => ({ url: 'https://shop.example/hooks', events: ['order.created', 'capture.created'] }) },
  { method: 'GET', path: () => '/sandbox/v1/webhooks' },
  { method: 'GET', path: (_f, i) => `/sandbox/v1/webhooks/${i.webhook}/deliveries` },
  { method: 'POST', path: (_f, i) => `/sandbox/v1/webhooks/${i.webhook}/deliveries/${i.delivery}/resend` },
  { method: 'POST', path: (_f, i) => `/admin/v1/merchants/${i.merchant}/webhooks`, body: () => ({ url: 'http://127.0.0.1:9/hooks', events: ['refund.created'] }), admin: true },
  { method: 'GET', path: (_f, i) => `/admin/v1/merchants/${i.merchant}/webhooks/${i.webhook}/deliveries`, admin: true },
  { method: 'GET', path: () => '/health/ready' },
  { method: 'GET', path: () => '/health/live' },
];

const weirdSegment = fc.oneof(
  fc.uuid(),
  fc.constantFrom('', '..', '%00', '%2e%2e', 'null', '0', '-1', '00000000-0000-0000-0000-000000000000', 'A'.repeat(2_000), '%F0%9F%92%B8', '%'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);

function idsArb(f: Fixture): fc.Arbitrary<Ids> {
  const valid = { order: f.orderId, capture: f.captureId, refund: f.refundId, merchant: f.merchant.merchant_id, webhook: f.webhookId, delivery: f.deliveryId };
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Ids>(valid, { ...valid, order: f.capturedOrderId }, { ...valid, order: f.capturedOrderId.toUpperCase() }) },
    {
      weight: 3,
      arbitrary: fc
        .record({ order: weirdSegment, capture: weirdSegment, refund: weirdSegment, merchant: weirdSegment, webhook: weirdSegment, delivery: weirdSegment })
        .map((w) => ({ ...valid, ...pickOne(w) })),
    },
  );
}

function pickOne(w: Ids): Partial<Ids> {
  const keys = ['order', 'capture', 'refund', 'merchant', 'webhook', 'delivery'] as const;
  const k = keys[w.order.length % keys.length]!;
  return { [k]: w[k] };
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

function authArb(f: Fixture, admin: boolean): fc.Arbitrary<string | undefined> {
  const right = admin ? `Bearer ${ADMIN_TOKEN}` : basic(f.merchant.username, f.merchant.password);
  return fc.oneof(
    { weight: 60, arbitrary: fc.constant(right) },
    { weight: 3, arbitrary: fc.constant(undefined) },
    // Malformed or crossed credentials: rejected before any password hashing.
    {
      weight: 10,
      arbitrary: fc.oneof(
        fc.constantFrom('Basic', 'Basic ', 'Basic !!!', 'Basic ====', `Basic ${Buffer.from('nocolon').toString('base64')}`, 'Bearer', 'Bearer ', 'Digest x', 'basic', `Bearer ${ADMIN_TOKEN}x`),
        fc.constant(admin ? basic(f.merchant.username, f.merchant.password) : `Bearer ${ADMIN_TOKEN}`),
        fc.string({ maxLength: 60 }).map((s) => `Basic ${s}`),
        fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `Bearer ${s}`),
        fc.constant(`Basic ${'A'.repeat(10_000)}`),
      ),
    },
    // Well-formed but wrong (each costs a scrypt, so rarer).
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant(basic(f.merchant.username, `${f.merchant.password}x`)),
        fc.constant(basic(f.other.username, f.merchant.password)),
        fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([u, p]) => basic(u, p)),
      ),
    },
  );
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/vnd.klarna+json',
      'json',
      '',
      ';;;',
      'application/json; charset=latin-1',
      'a'.repeat(3_000),
    ),
  },
);

const extraHeaders = fc.dictionary(
  fc.constantFrom('klarna-correlation-id', 'klarna-idempotency-key', 'user-agent', 'x-forwarded-for', 'accept', 'x-huge', 'accept-encoding', 'content-encoding'),
  fc.oneof(fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')), fc.constant('x'.repeat(16_000)), fc.constantFrom('gzip', 'deflate', '*/*', '', ' ', 'ÿ')),
  { maxKeys: 3 },
);

const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"captured_amount": 1', '[]', 'null', '1', '"x"', '{"a":' + '['.repeat(10_000), '\u0000\u0001', '{"captured_amount": 1e999}', '{"captured_amount": 100, "captured_amount": "x"}', ' '),
  fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? ''),
);

interface Case {
  method: RouteSpec['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

function routeCase(f: Fixture): fc.Arbitrary<Case> {
  return fc.constantFrom(...ROUTES).chain((route) => {
    const valid = route.body?.(f);
    const body: fc.Arbitrary<string | undefined> = valid
      ? fc.oneof({ weight: 5, arbitrary: mutated(valid).map((b) => JSON.stringify(b) ?? '') }, { weight: 1, arbitrary: rawBody })
      : fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: rawBody });
    return fc.record({ ids: idsArb(f), auth: authArb(f, route.admin === true), type: contentType, extra: extraHeaders, body, query: fc.oneof(fc.constant(''), fc.string({ maxLength: 30 }).map((s) => `?${encodeURIComponent(s)}=1`)) }).map(({ ids, auth, type, extra, body: payload, query }) => {
      const headers: Record<string, string> = { ...extra };
      if (auth !== undefined) headers.authorization = auth;
      if (payload !== undefined && type !== undefined) headers['content-type'] = type;
      return { method: route.method, url: route.path(f, ids) + query, headers, payload };
    });
  });
}

function randomPathCase(f: Fixture): fc.Arbitrary<Case> {
  const prefix = fc.constantFrom('', '/ordermanagement/v1', '/ordermanagement/v1/orders/', '/admin/v1/', '/health/', `/ordermanagement/v1/orders/${f.orderId}/`, '/docs/', '/openapi.json/', '/sandbox/v1/webhooks/', `/sandbox/v1/webhooks/${f.webhookId}/`);
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
      prefix,
      rest: fc.oneof(fc.webPath(), fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s)), fc.array(weirdSegment, { maxLength: 5 }).map((a) => a.join('/'))),
      auth: authArb(f, false),
      body: fc.option(rawBody),
    })
    .map(({ method, prefix: p, rest, auth, body }) => {
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.authorization = auth;
      if (body !== null) headers['content-type'] = 'application/json';
      return { method, url: (p + rest).replace(/^([^/])/, '/$1') || '/', headers, payload: body ?? undefined };
    });
}

// ---------- the property ----------

function withoutIdempotencyKeys(snapshot: string): string {
  const parsed = JSON.parse(snapshot) as Record<string, unknown>;
  delete parsed.idempotency_keys;
  return JSON.stringify(parsed);
}

function checkResponse(c: Case, res: LightMyRequestResponse): void {
  if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${c.method} ${c.url.slice(0, 200)}: ${res.body.slice(0, 300)}`);
  if (res.statusCode >= 400) {
    let body: { correlation_id?: unknown; error_code?: unknown; error_messages?: unknown };
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch {
      throw new Error(`${res.statusCode} without a JSON body for ${c.method} ${c.url.slice(0, 200)}: ${res.body.slice(0, 200)}`);
    }
    if (typeof body.error_code !== 'string' || !Array.isArray(body.error_messages) || typeof body.correlation_id !== 'string') {
      throw new Error(`${res.statusCode} is not the Klarna error body for ${c.method} ${c.url.slice(0, 200)}: ${res.body.slice(0, 200)}`);
    }
    if (body.correlation_id !== res.headers['klarna-correlation-id']) throw new Error(`correlation_id ${String(body.correlation_id)} differs from the header`);
  }
  if (!res.headers['klarna-correlation-id']) throw new Error(`no Klarna-Correlation-Id on ${res.statusCode} for ${c.method} ${c.url.slice(0, 200)}`);
}

export async function runFuzz(options: { runs: number; seed?: number; backend?: Backend; log?: (line: string) => void }): Promise<FuzzFigures> {
  const figures: FuzzFigures = { cases: 0, byStatus: {}, fiveHundreds: 0, rejectedUnchanged: 0 };
  // Batches on a fresh store each: the before/after snapshot stays small, so each case stays cheap.
  const BATCH = 250;
  for (let done = 0, batch = 0; done < options.runs; batch++) {
    const runs = Math.min(BATCH, options.runs - done);
    await runBatch(options, runs, options.seed === undefined ? undefined : options.seed + batch, figures);
    done += runs;
  }
  options.log?.(
    `[fuzz] ${figures.cases} cases (${options.backend ?? 'sqlite'}): 5xx ${figures.fiveHundreds}; refused with the store unchanged ${figures.rejectedUnchanged}; statuses ${JSON.stringify(figures.byStatus)}`,
  );
  return figures;
}

async function runBatch(options: { backend?: Backend }, runs: number, seed: number | undefined, figures: FuzzFigures): Promise<void> {
  const f = await fixture(options.backend ?? 'sqlite');
  // SQLite counts every row inserted, updated or deleted on its one connection: an unchanged count
  // proves no write happened, so the full snapshot is taken only when something was written.
  const writes = async () =>
    f.t.store.dialect === 'sqlite' ? Number((await sql<{ n: number }>`select total_changes() as n`.execute(f.t.store.db)).rows[0]!.n) : NaN;
  let baseline = await ledgerSnapshot(f.t.store);
  let baselineWrites = await writes();
  const property = (arb: fc.Arbitrary<Case>) =>
    fc.asyncProperty(arb, async (c) => {
      const res = await f.t.app.inject({ method: c.method, url: c.url, headers: c.headers, payload: c.payload });
      figures.cases++;
      const bucket = `${res.statusCode}`;
      figures.byStatus[bucket] = (figures.byStatus[bucket] ?? 0) + 1;
      if (res.statusCode >= 500) figures.fiveHundreds++;
      checkResponse(c, res);
      const nowWrites = await writes();
      if (nowWrites === baselineWrites) {
        if (res.statusCode >= 400) figures.rejectedUnchanged++;
        return;
      }
      const after = await ledgerSnapshot(f.t.store);
      if (res.statusCode >= 400) {
        const keyed = Object.keys(c.headers).includes('klarna-idempotency-key');
        const same = keyed ? withoutIdempotencyKeys(after) === withoutIdempotencyKeys(baseline) : after === baseline;
        if (!same) throw new Error(`a refused request (${res.statusCode} ${res.body.slice(0, 200)}) changed the store: ${c.method} ${c.url.slice(0, 200)}`);
        figures.rejectedUnchanged++;
      }
      baseline = after;
      baselineWrites = nowWrites;
    });
  try {
    const routeRuns = Math.ceil(runs * 0.8);
    const params = (numRuns: number) => ({ numRuns, seed, endOnFailure: true, verbose: 1 as const, maxSkipsPerRun: 1_000 });
    await fc.assert(property(routeCase(f)), params(routeRuns));
    if (runs > routeRuns) await fc.assert(property(randomPathCase(f)), params(runs - routeRuns));
  } finally {
    await f.t.close();
  }
}
