// `openom tokens get|order|cancel` against a running server (CONTRACT §12): a recurring checkout
// bought over HTTP, then its token read, charged from examples/subscriptions/renewal-se.json, and cancelled.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkoutBody } from '../support/checkout.js';
import { ADMIN_TOKEN, instanceEnv, startInstance, type Instance } from '../reliability/cluster.js';
import { REPO_ROOT } from '../support/process.js';
import { buildCli, failureLine, type Cli } from './run.js';

describe('openom tokens against a running server', { concurrency: false }, () => {
  let dir: string;
  let cli: Cli;
  let server: Instance;
  let merchant: Record<string, string>;
  let token: string;

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const auth = `Basic ${Buffer.from(`${merchant.OPENOM_USERNAME}:${merchant.OPENOM_PASSWORD}`).toString('base64')}`;
    const res = await fetch(`${server.base}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openom-cli-tokens-'));
    [cli, server] = await Promise.all([buildCli(), startInstance(instanceEnv(`sqlite:${join(dir, 'openom.sqlite')}`))]);
    const created = await cli.json<{ username: string; password: string }>(['merchants', 'create', '--name', 'Subscriptions AB'], { OPENOM_URL: server.base, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN });
    merchant = { OPENOM_URL: server.base, OPENOM_USERNAME: created.username, OPENOM_PASSWORD: created.password };
    const checkout = await api('POST', '/checkout/v3/orders', checkoutBody({ recurring: true }));
    await api('POST', `/sandbox/v1/checkout/${String(checkout.order_id)}/complete`, { outcome: 'accepted' });
    token = String((await api('GET', `/checkout/v3/orders/${String(checkout.order_id)}`)).recurring_token);
  });
  after(async () => {
    await server?.server.stop();
    cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tokens get shows the token; tokens order charges it from the example file, once per idempotency key; tokens cancel ends it', async () => {
    assert.deepEqual(await cli.json(['tokens', 'get', token], merchant), { status: 'ACTIVE', payment_method_type: 'INVOICE' });
    const example = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'subscriptions', 'renewal-se.json'), 'utf8')) as { order_amount: number };
    const args = ['tokens', 'order', token, '--file', 'examples/subscriptions/renewal-se.json', '--idempotency-key', 'renewal-1'];
    const placed = await cli.json<{ order_id: string; fraud_status: string }>(args, merchant);
    assert.equal(placed.fraud_status, 'ACCEPTED');
    assert.deepEqual(await cli.json(args, merchant), placed, 'the same key answers the same order');
    const order = await cli.json<{ status: string; captured_amount: number }>(['orders', 'get', placed.order_id], merchant);
    assert.deepEqual([order.status, order.captured_amount], ['CAPTURED', example.order_amount]);
    assert.deepEqual(await cli.json(['tokens', 'cancel', token], merchant), {});
    assert.equal((await cli.json<{ status: string }>(['tokens', 'get', token], merchant)).status, 'CANCELLED');
    const refused = await cli.run(['tokens', 'order', token, '--file', 'examples/subscriptions/renewal-se.json'], merchant);
    assert.equal(refused.code, 1);
    assert.match(failureLine(refused), /^openom: 404 TOKEN_NOT_FOUND: /);
  });
});
