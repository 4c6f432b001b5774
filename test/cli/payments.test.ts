// `openom payments` against a running klarna-profile server over real HTTP: a session from the
// example cart, the headless authorization, the order from the token, the session then complete,
// the token's answer repeated, and cancel of a spent token refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, instanceEnv, startInstance, type Instance } from '../reliability/cluster.js';
import { buildCli, failureLine, type Cli } from './run.js';

const CART = join('examples', 'payments', 'session-se.json');

describe('openom payments against a running klarna-profile server', { concurrency: false }, () => {
  let dir: string;
  let cli: Cli;
  let server: Instance;
  let merchant: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openom-cli-payments-'));
    [cli, server] = await Promise.all([buildCli(), startInstance(instanceEnv(`sqlite:${join(dir, 'openom.sqlite')}`, { OPENOM_PROFILE: 'klarna' }))]);
    const admin = { OPENOM_URL: server.base, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN };
    const created = await cli.json<{ username: string; password: string }>(['merchants', 'create', '--name', 'CLI Payments AB'], admin);
    merchant = { OPENOM_URL: server.base, OPENOM_USERNAME: created.username, OPENOM_PASSWORD: created.password };
  });
  after(async () => {
    await server?.server.stop();
    cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('create-session, authorize, order: the order exists and the session is complete; the token answers the same again', async () => {
    const session = await cli.json<{ session_id: string; client_token: string }>(['payments', 'create-session', '--file', CART], merchant);
    assert.match(session.session_id, /^[0-9a-f-]{36}$/);
    const authorized = await cli.json<{ approved: boolean; authorization_token: string }>(['payments', 'authorize', session.session_id, '--outcome', 'accepted'], merchant);
    assert.equal(authorized.approved, true);
    const order = await cli.json<{ order_id: string; fraud_status: string; redirect_url: string }>(['payments', 'order', authorized.authorization_token, '--file', CART], merchant);
    assert.equal(order.fraud_status, 'ACCEPTED');
    assert.equal(order.redirect_url, `https://shop.example/thanks?order=${order.order_id}`);
    assert.equal((await cli.json<{ status: string }>(['orders', 'get', order.order_id], merchant)).status, 'AUTHORIZED');
    assert.equal((await cli.json<{ status: string }>(['payments', 'session', session.session_id], merchant)).status, 'complete');
    assert.deepEqual(await cli.json(['payments', 'order', authorized.authorization_token, '--file', CART], merchant), order);
    const spent = await cli.run(['payments', 'cancel', authorized.authorization_token], merchant);
    assert.equal(spent.code, 1);
    assert.match(failureLine(spent), /^openom: 404 NOT_FOUND: Invalid authorization token/);
  });

  it('cancel of an unused token prints {}; declined prints {"approved": false}', async () => {
    const session = await cli.json<{ session_id: string }>(['payments', 'create-session', '--file', CART], merchant);
    assert.deepEqual(await cli.json(['payments', 'authorize', session.session_id, '--outcome', 'declined'], merchant), { approved: false });
    const { authorization_token } = await cli.json<{ authorization_token: string }>(['payments', 'authorize', session.session_id, '--outcome', 'pending'], merchant);
    assert.deepEqual(await cli.json(['payments', 'cancel', authorization_token], merchant), {});
  });
});
