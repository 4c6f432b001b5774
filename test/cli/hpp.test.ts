// `openom hpp create|get|disable` against a running server (CONTRACT §9, §13): a pay-by-link session
// for a checkout order, its status as the shopper opens the link, and disabling it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, instanceEnv, startInstance, type Instance } from '../reliability/cluster.js';
import { checkoutBody } from '../support/checkout.js';
import { buildCli, failureLine, type Cli } from './run.js';

interface Created {
  session_id: string;
  redirect_url: string;
  session_url: string;
  qr_code_url: string;
  expires_at: string;
}

describe('openom hpp against a running server', { concurrency: false }, () => {
  let dir: string;
  let cli: Cli;
  let server: Instance;
  let merchant: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openom-cli-hpp-'));
    [cli, server] = await Promise.all([buildCli(), startInstance(instanceEnv(`sqlite:${join(dir, 'openom.sqlite')}`))]);
    const created = await cli.json<{ username: string; password: string }>(['merchants', 'create', '--name', 'Link AB'], { OPENOM_URL: server.base, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN });
    merchant = { OPENOM_URL: server.base, OPENOM_USERNAME: created.username, OPENOM_PASSWORD: created.password };
  });
  after(async () => {
    await server?.server.stop();
    cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  async function newCheckout(): Promise<string> {
    const res = await fetch(`${server.base}/checkout/v3/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${merchant.OPENOM_USERNAME}:${merchant.OPENOM_PASSWORD}`).toString('base64')}` },
      body: JSON.stringify(checkoutBody()),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { order_id: string }).order_id;
  }

  it('hpp create prints the session with absolute URLs; hpp get follows the status; hpp disable disables it', async () => {
    const orderId = await newCheckout();
    const created = await cli.json<Created>(['hpp', 'create', orderId, '--success', 'https://shop.example/paid?order={{order_id}}', '--place-order-mode', 'CAPTURE_ORDER'], merchant);
    assert.equal(created.redirect_url, `${server.base}/sandbox/hpp/${created.session_id}`);
    assert.equal(created.session_url, `${server.base}/hpp/v1/sessions/${created.session_id}`);
    assert.equal((await cli.json<{ status: string }>(['hpp', 'get', created.session_id], merchant)).status, 'WAITING');
    assert.equal((await fetch(created.redirect_url)).status, 200);
    assert.equal((await cli.json<{ status: string }>(['hpp', 'get', created.session_id], merchant)).status, 'IN_PROGRESS');
    assert.deepEqual(await cli.json(['hpp', 'disable', created.session_id], merchant), {});
    assert.equal((await cli.json<{ status: string }>(['hpp', 'get', created.session_id], merchant)).status, 'DISABLED');
  });

  it('a refusal is one line naming the field, exit 1', async () => {
    const orderId = await newCheckout();
    const bad = await cli.run(['hpp', 'create', orderId, '--place-order-mode', 'NONE'], merchant);
    assert.equal(bad.code, 1);
    assert.match(failureLine(bad), /^openom: 400 BAD_VALUE: Bad value: options\.place_order_mode/);
    const unknown = await cli.run(['hpp', 'get', '00000000-0000-4000-8000-000000000000'], merchant);
    assert.equal(unknown.code, 1);
    assert.match(failureLine(unknown), /^openom: 404 NOT_FOUND: /);
  });
});
