// OPENOM_MODE (CONTRACT §5): the sandbox helpers exist in sandbox mode, and in production mode every
// route under /sandbox/ answers 404 NOT_FOUND with the Klarna body. The routes walked are read from
// the sandbox app's own route table, so a helper added later is covered without editing this file.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { call, createMerchant, startTestApp, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { expectError } from '../support/orderAssertions.js';

/** The helpers this branch must have; whatever else is under /sandbox/ is walked too. */
const EXPECTED: [HTTPMethods, string][] = [
  ['GET', '/sandbox/v1/clock'],
  ['POST', '/sandbox/v1/clock/advance'],
  ['GET', '/sandbox/v1/faults'],
  ['POST', '/sandbox/v1/faults'],
  ['DELETE', '/sandbox/v1/faults/:fault_id'],
  ['POST', '/sandbox/v1/orders/:order_id/fraud-decision'],
];

/** Every (method, url template) the app serves, read from Fastify's printed route tree. */
function routesOf(app: FastifyInstance): [HTTPMethods, string][] {
  const routes: [HTTPMethods, string][] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) routes.push([method as HTTPMethods, stack.join('')]);
  }
  return routes;
}

describe('sandbox and production mode', () => {
  let sandbox: TestApp;
  let production: TestApp;
  let sandboxRoutes: [HTTPMethods, string][];
  before(async () => {
    sandbox = await startTestApp('sqlite');
    production = await startTestApp('sqlite', { OPENOM_MODE: 'production' });
    sandboxRoutes = routesOf(sandbox.app).filter(([, url]) => url.startsWith('/sandbox/'));
  });
  after(async () => {
    await sandbox?.close();
    await production?.close();
  });

  it('sandbox mode serves every sandbox helper', () => {
    for (const [method, url] of EXPECTED) {
      assert.ok(sandbox.app.hasRoute({ method, url }), `${method} ${url} missing in sandbox mode`);
      assert.ok(sandboxRoutes.some(([m, u]) => m === method && u === url), `${method} ${url} not found in the route table`);
    }
  });

  it('production mode answers every route under /sandbox/ with 404 NOT_FOUND and the Klarna body, with or without credentials', async () => {
    const m: MerchantCredentials = await createMerchant(production, 'Production AB');
    assert.ok(sandboxRoutes.length >= EXPECTED.length);
    for (const [method, template] of sandboxRoutes) {
      assert.equal(production.app.hasRoute({ method, url: template }), false, `${method} ${template} exists in production mode`);
      const url = template.replace(/:[a-z_]+/g, randomUUID());
      for (const auth of [m, 'none'] as const) {
        const res = await call(production, { method: method as 'GET', url, auth, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        const body = expectError(res, 404, 'NOT_FOUND');
        assert.match(body.error_messages[0]!, /No route/, `${method} ${url}`);
      }
    }
  });
});
