// GET /openapi.json (OpenAPI 3, generated from the TypeBox schemas) and the /docs page.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { call, describeOnBothStores } from '../support/harness.js';

interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { security?: Record<string, unknown>[]; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> }; responses?: Record<string, unknown> }>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme: string }> };
}

const OM = '/ordermanagement/v1/orders';
const EXPECTED: [string, string][] = [
  ['get', `${OM}/{order_id}`],
  ['post', `${OM}/{order_id}/acknowledge`],
  ['post', `${OM}/{order_id}/cancel`],
  ['post', `${OM}/{order_id}/extend-authorization-time`],
  ['post', `${OM}/{order_id}/release-remaining-authorization`],
  ['post', `${OM}/{order_id}/shipping-info`],
  ['patch', `${OM}/{order_id}/merchant-references`],
  ['patch', `${OM}/{order_id}/customer-details`],
  ['patch', `${OM}/{order_id}/authorization`],
  ['get', `${OM}/{order_id}/captures`],
  ['post', `${OM}/{order_id}/captures`],
  ['get', `${OM}/{order_id}/captures/{capture_id}`],
  ['post', `${OM}/{order_id}/captures/{capture_id}/shipping-info`],
  ['patch', `${OM}/{order_id}/captures/{capture_id}/extend-due-date`],
  ['get', `${OM}/{order_id}/captures/{capture_id}/extend-due-date-options`],
  ['post', `${OM}/{order_id}/captures/{capture_id}/trigger-send-out`],
  ['post', `${OM}/{order_id}/refunds`],
  ['get', `${OM}/{order_id}/refunds/{refund_id}`],
  ['post', '/admin/v1/merchants'],
  ['get', '/admin/v1/merchants'],
  ['post', '/admin/v1/merchants/{merchant_id}/orders'],
  ['get', '/sandbox/v1/clock'],
  ['post', '/sandbox/v1/clock/advance'],
  ['post', '/sandbox/v1/faults'],
  ['get', '/sandbox/v1/faults'],
  ['delete', '/sandbox/v1/faults/{fault_id}'],
  ['post', '/sandbox/v1/orders/{order_id}/fraud-decision'],
  ...['/sandbox/v1', '/admin/v1/merchants/{merchant_id}'].flatMap((base): [string, string][] => [
    ['post', `${base}/webhooks`],
    ['get', `${base}/webhooks`],
    ['delete', `${base}/webhooks/{webhook_id}`],
    ['get', `${base}/webhooks/{webhook_id}/deliveries`],
    ['post', `${base}/webhooks/{webhook_id}/deliveries/{delivery_id}/resend`],
  ]),
];

describeOnBothStores('OpenAPI and docs', (ctx) => {
  async function spec(): Promise<OpenApi> {
    const res = await call(ctx(), { method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    return res.json() as OpenApi;
  }

  it('GET /openapi.json is an OpenAPI 3 document, without authentication', async () => {
    const doc = await spec();
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.ok(doc.info.title.length > 0);
    assert.ok(doc.info.version.length > 0);
  });

  it('lists every Order Management, admin and sandbox operation', async () => {
    const doc = await spec();
    for (const [method, path] of EXPECTED) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} missing`);
  });

  it('does not list internal routes (health, docs, the spec itself)', async () => {
    const paths = Object.keys((await spec()).paths);
    assert.deepEqual(paths.filter((p) => /health|docs|openapi/.test(p)), []);
  });

  it('merchant operations declare Basic auth and admin operations declare Bearer auth', async () => {
    const doc = await spec();
    assert.deepEqual(doc.components?.securitySchemes?.merchant, { type: 'http', scheme: 'basic' });
    assert.deepEqual(doc.components?.securitySchemes?.admin, { type: 'http', scheme: 'bearer' });
    for (const [method, path] of EXPECTED) {
      const expected = path.startsWith('/admin') ? 'admin' : 'merchant';
      assert.deepEqual(doc.paths[path]![method]!.security, [{ [expected]: [] }], `${method} ${path}`);
    }
  });

  it('the schemas come from the routes: capture and intake bodies, with their required fields', async () => {
    const doc = await spec();
    const capture = doc.paths[`${OM}/{order_id}/captures`]!.post!.requestBody!.content['application/json']!.schema;
    assert.ok(capture.properties?.captured_amount);
    assert.ok(capture.required?.includes('captured_amount'));
    const intake = doc.paths['/admin/v1/merchants/{merchant_id}/orders']!.post!.requestBody!.content['application/json']!.schema;
    for (const field of ['purchase_country', 'purchase_currency', 'order_amount', 'order_lines']) assert.ok(intake.required?.includes(field), field);
    assert.ok(doc.paths[`${OM}/{order_id}`]!.get!.responses?.['200']);
    assert.ok(doc.paths[`${OM}/{order_id}`]!.get!.responses?.['404']);
  });

  it("sandbox operations are tagged 'Sandbox', with a summary and their body schemas", async () => {
    const doc = await spec();
    for (const [method, path] of EXPECTED.filter(([, p]) => p.startsWith('/sandbox/'))) {
      const op = doc.paths[path]![method] as { tags?: string[]; summary?: string };
      assert.deepEqual(op.tags, ['Sandbox'], `${method} ${path}`);
      assert.ok((op.summary ?? '').length > 10, `${method} ${path} has no summary`);
    }
    const fault = doc.paths['/sandbox/v1/faults']!.post!.requestBody!.content['application/json']!.schema;
    assert.deepEqual(fault.required, ['method', 'path', 'status']);
    assert.ok(doc.paths['/sandbox/v1/faults']!.post!.responses?.['201']);
    const decision = doc.paths['/sandbox/v1/orders/{order_id}/fraud-decision']!.post!.requestBody!.content['application/json']!.schema;
    assert.deepEqual(decision.required, ['decision']);
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
}, { OPENOM_PROFILE: 'klarna' });
