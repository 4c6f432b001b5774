// GET /openapi.json (OpenAPI 3.1, generated from the TypeBox schemas) and the /docs page: every
// operation named and complete, every status the server answers declared, examples that are real.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { OPENOM_VERSION } from '../../src/version.js';
import { CAPTURE_REQUEST_EXAMPLE, REFUND_REQUEST_EXAMPLE } from '../../src/http/schemas/examples.js';
import { call, createMerchant, describeOnBothStores, ordersUrl, type Call, type Json } from '../support/harness.js';

type Node = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, unknown>[];
  requestBody?: Node;
  parameters?: Node[];
  responses: Record<string, Node>;
}
interface OpenApi {
  openapi: string;
  info: { title: string; version: string; license?: { name: string; identifier?: string } };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Node>; securitySchemes: Record<string, { type: string; scheme: string }> };
}

const OM = '/ordermanagement/v1/orders';
/** [method, path, operationId]: the operations of a sandbox server under the klarna profile. */
const EXPECTED: [string, string, string][] = [
  ['get', `${OM}/{order_id}`, 'getOrder'],
  ['post', `${OM}/{order_id}/acknowledge`, 'acknowledgeOrder'],
  ['post', `${OM}/{order_id}/cancel`, 'cancelOrder'],
  ['post', `${OM}/{order_id}/extend-authorization-time`, 'extendAuthorizationTime'],
  ['post', `${OM}/{order_id}/release-remaining-authorization`, 'releaseRemainingAuthorization'],
  ['post', `${OM}/{order_id}/shipping-info`, 'addShippingInfo'],
  ['patch', `${OM}/{order_id}/merchant-references`, 'updateMerchantReferences'],
  ['patch', `${OM}/{order_id}/customer-details`, 'updateCustomerDetails'],
  ['patch', `${OM}/{order_id}/authorization`, 'updateAuthorization'],
  ['get', `${OM}/{order_id}/captures`, 'listCaptures'],
  ['post', `${OM}/{order_id}/captures`, 'createCapture'],
  ['get', `${OM}/{order_id}/captures/{capture_id}`, 'getCapture'],
  ['post', `${OM}/{order_id}/captures/{capture_id}/shipping-info`, 'addCaptureShippingInfo'],
  ['patch', `${OM}/{order_id}/captures/{capture_id}/extend-due-date`, 'extendCaptureDueDate'],
  ['get', `${OM}/{order_id}/captures/{capture_id}/extend-due-date-options`, 'getCaptureDueDateOptions'],
  ['post', `${OM}/{order_id}/captures/{capture_id}/trigger-send-out`, 'triggerCaptureSendOut'],
  ['post', `${OM}/{order_id}/refunds`, 'createRefund'],
  ['get', `${OM}/{order_id}/refunds/{refund_id}`, 'getRefund'],
  ['post', '/admin/v1/merchants', 'createMerchant'],
  ['get', '/admin/v1/merchants', 'listMerchants'],
  ['post', '/admin/v1/merchants/{merchant_id}/orders', 'createAuthorizedOrder'],
  ['get', '/sandbox/v1/clock', 'getClock'],
  ['post', '/sandbox/v1/clock/advance', 'advanceClock'],
  ['post', '/sandbox/v1/faults', 'createFault'],
  ['get', '/sandbox/v1/faults', 'listFaults'],
  ['delete', '/sandbox/v1/faults/{fault_id}', 'deleteFault'],
  ['post', '/sandbox/v1/orders/{order_id}/fraud-decision', 'decideFraudReview'],
  ...[['/sandbox/v1', 'Webhook'], ['/admin/v1/merchants/{merchant_id}', 'MerchantWebhook']].flatMap(([base, noun]): [string, string, string][] => [
    ['post', `${base}/webhooks`, `create${noun}`],
    ['get', `${base}/webhooks`, `list${noun}s`],
    ['delete', `${base}/webhooks/{webhook_id}`, `delete${noun}`],
    ['get', `${base}/webhooks/{webhook_id}/deliveries`, `list${noun}Deliveries`],
    ['post', `${base}/webhooks/{webhook_id}/deliveries/{delivery_id}/resend`, `resend${noun}Delivery`],
  ]),
  ['post', '/payments/v1/sessions', 'createPaymentSession'],
  ['get', '/payments/v1/sessions/{session_id}', 'getPaymentSession'],
  ['post', '/payments/v1/sessions/{session_id}', 'updatePaymentSession'],
  ['post', '/payments/v1/authorizations/{authorization_token}/order', 'createOrderFromAuthorization'],
  ['delete', '/payments/v1/authorizations/{authorization_token}', 'cancelAuthorization'],
  ['post', '/sandbox/v1/payments/sessions/{session_id}/authorize', 'authorizePaymentSession'],
];

/** Follows a local $ref ("#/components/…") to what it names. */
function deref<T = Node>(doc: OpenApi, node: unknown): T {
  let n = node as Node;
  while (typeof n.$ref === 'string') {
    n = n.$ref
      .slice(2)
      .split('/')
      .reduce<Node>((at, key) => {
        const next = at[key.replace(/~1/g, '/').replace(/~0/g, '~')];
        assert.ok(next, `unresolved ${String(n.$ref)}`);
        return next as Node;
      }, doc as unknown as Node);
  }
  return n as T;
}

function operations(doc: OpenApi): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));
}

const parametersIn = (doc: OpenApi, op: Operation, where: string) => (op.parameters ?? []).map((p) => deref(doc, p)).filter((p) => p.in === where);

/** Well-formed ids that no store has: operations on them answer 404. */
const fillPath = (path: string) => path.replace(/\{[a-z_]+\}/g, '00000000-0000-4000-8000-000000000000');

// Every operation is there under the klarna profile; each is called without credentials once, more
// failed logins than the default throttle allows.
const SERVER = { OPENOM_PROFILE: 'klarna', OPENOM_AUTH_FAILURE_LIMIT: '1000' };

describeOnBothStores('OpenAPI and docs', (ctx) => {
  let cached: OpenApi | undefined;
  async function spec(): Promise<OpenApi> {
    if (cached) return cached;
    const res = await call(ctx(), { method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    cached = res.json() as OpenApi;
    return cached;
  }

  it('GET /openapi.json is an OpenAPI 3.1 document of this version, with a license and a relative server, without authentication', async () => {
    const doc = await spec();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.info.title.length > 0);
    assert.equal(doc.info.version, OPENOM_VERSION);
    assert.deepEqual(doc.info.license, { name: 'MIT', identifier: 'MIT' });
    assert.deepEqual(doc.servers?.map((s) => s.url), ['/']);
  });

  it('GET /openapi.json is the published document, clients/openapi.json, to the byte: a change to the API shows there (npm run client:generate)', async () => {
    const res = await call(ctx(), { method: 'GET', url: '/openapi.json' });
    const published = readFileSync(new URL('../../clients/openapi.json', import.meta.url), 'utf8');
    assert.equal(`${JSON.stringify(JSON.parse(res.body), null, 2)}\n`, published);
  });

  it('lists every operation under its operationId, and every operation has a unique operationId, a summary and declared tags', async () => {
    const doc = await spec();
    for (const [method, path, operationId] of EXPECTED) assert.equal(doc.paths[path]?.[method]?.operationId, operationId, `${method.toUpperCase()} ${path}`);
    const declaredTags = new Map(doc.tags?.map((t) => [t.name, t.description]));
    const ids = new Set<string>();
    for (const { method, path, op } of operations(doc)) {
      const what = `${method.toUpperCase()} ${path}`;
      assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${what}: operationId`);
      assert.ok(!ids.has(op.operationId!), `${what}: operationId ${op.operationId} is used twice`);
      ids.add(op.operationId!);
      assert.ok(op.summary, `${what}: summary`);
      assert.ok(op.tags?.length, `${what}: tags`);
      for (const tag of op.tags!) assert.ok(declaredTags.get(tag), `${what}: tag ${tag} is not declared with a description in the document's tags`);
    }
  });

  it('does not list internal routes (health, docs, the spec itself) or the HTML pages of the portal', async () => {
    const paths = Object.keys((await spec()).paths);
    assert.deepEqual(paths.filter((p) => /health|docs|openapi|portal/.test(p)), []);
  });

  it('merchant operations declare Basic auth and admin operations declare Bearer auth', async () => {
    const doc = await spec();
    assert.equal(doc.components.securitySchemes.merchant?.scheme, 'basic');
    assert.equal(doc.components.securitySchemes.admin?.scheme, 'bearer');
    for (const { method, path, op } of operations(doc)) {
      const expected = path.startsWith('/admin') || path === '/metrics' ? 'admin' : 'merchant';
      assert.deepEqual(op.security, [{ [expected]: [] }], `${method} ${path}`);
    }
  });

  it('declares the standard responses each operation can get, each with Klarna-Correlation-Id, and Retry-After and WWW-Authenticate where sent', async () => {
    const doc = await spec();
    for (const { method, path, op } of operations(doc)) {
      const what = `${method.toUpperCase()} ${path}`;
      const wanted = ['401', '500', '503'];
      if (op.security?.[0]?.merchant) wanted.push('429');
      if (op.requestBody) wanted.push('400', '413', '415');
      if (parametersIn(doc, op, 'path').length > 0) wanted.push('400', '404');
      for (const status of wanted) assert.ok(op.responses[status], `${what}: ${status} not declared`);
      for (const [status, ref] of Object.entries(op.responses)) {
        const response = deref(doc, ref);
        const headers = Object.keys((response.headers ?? {}) as Node);
        assert.ok(headers.includes('Klarna-Correlation-Id'), `${what} ${status}: Klarna-Correlation-Id`);
        if (status === '429' || status === '503') assert.ok(headers.includes('Retry-After'), `${what} ${status}: Retry-After`);
        if (status === '401') assert.ok(headers.includes('WWW-Authenticate'), `${what} ${status}: WWW-Authenticate`);
        if (Number(status) >= 400) assert.deepEqual(Object.values((response.content ?? {}) as Node).map((m) => (m as Node).schema), [{ $ref: '#/components/schemas/Error' }], `${what} ${status}`);
      }
    }
    const createdHeaders = (operationId: string) => {
      const op = operations(doc).find((o) => o.op.operationId === operationId)!.op;
      return Object.keys(deref(doc, op.responses['201']).headers as Node).sort();
    };
    assert.deepEqual(createdHeaders('createCapture'), ['Capture-Id', 'Klarna-Correlation-Id', 'Location']);
    assert.deepEqual(createdHeaders('createRefund'), ['Klarna-Correlation-Id', 'Location', 'Refund-Id']);
  });

  it('shared schemas are named components, defined once and referenced, and every reference resolves', async () => {
    const doc = await spec();
    for (const name of ['Order', 'OrderLine', 'Address', 'Capture', 'Refund', 'ShippingInfo', 'Error', 'CaptureRequest', 'RefundRequest', 'OrderIntake']) {
      assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
    }
    const text = JSON.stringify(doc);
    assert.equal(text.split('"total_discount_amount":{').length - 1, 1, 'the order line is defined once');
    for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) deref(doc, { $ref: ref });
    const body = deref(doc, doc.paths[`${OM}/{order_id}/captures`]!.post!.requestBody!.content as Node);
    const capture = deref<{ properties: Node; required: string[] }>(doc, (body['application/json'] as Node).schema);
    assert.ok(capture.properties.captured_amount);
    assert.ok(capture.required.includes('captured_amount'));
    const intake = deref<{ required: string[] }>(doc, doc.components.schemas.OrderIntake);
    for (const field of ['purchase_country', 'purchase_currency', 'order_amount', 'order_lines']) assert.ok(intake.required.includes(field), field);
  });

  it("sandbox operations are tagged 'Sandbox', with a summary and their body schemas", async () => {
    const doc = await spec();
    for (const [method, path] of EXPECTED.filter(([, p]) => p.startsWith('/sandbox/'))) {
      const op = doc.paths[path]![method]!;
      assert.deepEqual(op.tags, ['Sandbox'], `${method} ${path}`);
      assert.ok((op.summary ?? '').length > 10, `${method} ${path} has no summary`);
    }
    const bodyOf = (path: string) => deref<{ required: string[] }>(doc, (deref(doc, doc.paths[path]!.post!.requestBody!.content as Node)['application/json'] as Node).schema);
    assert.deepEqual(bodyOf('/sandbox/v1/faults').required, ['method', 'path', 'status']);
    assert.ok(doc.paths['/sandbox/v1/faults']!.post!.responses['201']);
    assert.deepEqual(bodyOf('/sandbox/v1/orders/{order_id}/fraud-decision').required, ['decision']);
  });

  it('every status the server answers for an operation (no credentials, unknown ids, an empty body) is declared for it', async () => {
    const t = ctx();
    const doc = await spec();
    const m = await createMerchant(t, 'Undeclared statuses AB');
    for (const { method, path, op } of operations(doc)) {
      const url = fillPath(path);
      const auth: Call['auth'] = op.security?.[0]?.admin ? 'admin' : m;
      const base = { method: method.toUpperCase() as Call['method'], url };
      const statuses: number[] = [];
      for (const request of [{ ...base, auth: 'none' as const }, { ...base, auth }, { ...base, auth, body: {} }]) {
        const res = await call(t, request);
        statuses.push(res.statusCode);
        assert.ok(op.responses[String(res.statusCode)], `${method.toUpperCase()} ${path} answered ${res.statusCode}, which is not declared: ${res.body.slice(0, 200)}`);
      }
      assert.equal(statuses[0], 401, `${method.toUpperCase()} ${path} without credentials`);
    }
  });

  it('the examples are real: the same requests get the documented order, capture and refund, ids and times aside', async () => {
    const t = ctx();
    const doc = await spec();
    const m = await createMerchant(t, 'Examples AB');
    const intake = JSON.parse(readFileSync(new URL('../../examples/order-se.json', import.meta.url), 'utf8')) as Json;
    assert.deepEqual(deref<{ examples: unknown[] }>(doc, doc.components.schemas.OrderIntake).examples, [intake]);
    const created = await call(t, { method: 'POST', url: `/admin/v1/merchants/${m.merchant_id}/orders`, auth: 'admin', body: intake });
    assert.equal(created.statusCode, 201, created.body);
    const order = created.json() as { order_id: string };
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m, body: CAPTURE_REQUEST_EXAMPLE })).statusCode, 201);
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/refunds'), auth: m, body: REFUND_REQUEST_EXAMPLE })).statusCode, 201);
    const got = (await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m })).json() as Json;

    const unique = /^(order_id|capture_id|refund_id|klarna_reference|\w+_at)$/;
    const normalize = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value), (key, v: unknown) => (unique.test(key) && typeof v === 'string' ? `<${key}>` : v));
    const example = (name: string) => normalize(deref<{ examples: unknown[] }>(doc, doc.components.schemas[name]).examples[0]);
    assert.deepEqual(normalize(got), example('Order'));
    assert.deepEqual(normalize((got.captures as Json[])[0]), example('Capture'));
    assert.deepEqual(normalize((got.refunds as Json[])[0]), example('Refund'));
    assert.deepEqual(example('CaptureRequest'), CAPTURE_REQUEST_EXAMPLE);
    assert.deepEqual(example('RefundRequest'), REFUND_REQUEST_EXAMPLE);
  });

  it('GET /docs serves a browsable HTML page whose assets load', async () => {
    let res = await call(ctx(), { method: 'GET', url: '/docs' });
    if (res.statusCode === 302 && res.headers.location) res = await call(ctx(), { method: 'GET', url: String(res.headers.location) });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<html/i);
    const assets = [...res.body.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    assert.ok(assets.length > 0, 'the page references no scripts or styles');
    for (const asset of assets) {
      const url = asset.startsWith('/') ? asset : `/docs/${asset.replace(/^docs\//, '')}`;
      const a = await call(ctx(), { method: 'GET', url });
      assert.equal(a.statusCode, 200, `${url}: ${a.statusCode}`);
    }
  });
}, SERVER);
