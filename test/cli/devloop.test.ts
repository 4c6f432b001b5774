// The developer loop on the command line (CONTRACT §15), each command its own process against a
// running server: fixtures, snapshots, reset, calls, trigger, listen (with --forward-to), logs, and
// the wrappers for checkout, webhooks, faults, fraud decisions and push.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/process.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { eventually } from '../support/webhooks.js';
import { ADMIN_TOKEN, instanceEnv, startInstance, type Instance } from '../reliability/cluster.js';
import { buildCli, failureLine, type Cli } from './run.js';

const FIXTURES = join(REPO_ROOT, 'examples', 'fixtures.json');
const fixture = (JSON.parse(readFileSync(FIXTURES, 'utf8')) as { merchants: { username: string; password: string }[] }).merchants[0]!;
const PART_CAPTURED = '0b6a1c8e-1111-4c3b-8d2e-000000000002';
const PENDING = '0b6a1c8e-1111-4c3b-8d2e-000000000008';

describe('openom developer loop commands', { concurrency: false }, () => {
  let dir: string;
  let cli: Cli;
  let server: Instance;
  let shop: Receiver;
  let merchant: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openom-devloop-'));
    [cli, server, shop] = await Promise.all([
      buildCli(),
      startInstance(instanceEnv(`sqlite:${join(dir, 'openom.sqlite')}`, { OPENOM_WORKER_CONCURRENCY: '4' })),
      startReceiver(() => 200),
    ]);
    merchant = { OPENOM_URL: server.base, OPENOM_USERNAME: fixture.username, OPENOM_PASSWORD: fixture.password };
  });
  after(async () => {
    await server?.server.stop();
    await shop?.close();
    cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fixtures load makes the fixture merchant; loading again does nothing', async () => {
    const admin = { OPENOM_URL: server.base, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN };
    const first = await cli.json<{ merchants: { loaded: boolean; orders: string[] }[] }>(['fixtures', 'load', FIXTURES], admin);
    assert.equal(first.merchants[0]?.loaded, true);
    assert.equal(first.merchants[0]?.orders.length, 9);
    const again = await cli.json<{ merchants: { loaded: boolean }[] }>(['fixtures', 'load', FIXTURES], admin);
    assert.equal(again.merchants[0]?.loaded, false);
    assert.equal((await cli.json<{ status: string }>(['orders', 'get', PART_CAPTURED], merchant)).status, 'PART_CAPTURED');
  });

  it('snapshot save → reset → snapshot load gives back the same bytes, and the orders work again', async () => {
    const saved = join(dir, 'saved.json');
    const again = join(dir, 'again.json');
    const r = await cli.run(['snapshot', 'save', saved], merchant);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await cli.json(['reset'], merchant), {});
    assert.match(failureLine(await cli.run(['orders', 'get', PART_CAPTURED], merchant)), /404 NO_SUCH_ORDER/);
    assert.deepEqual(await cli.json(['snapshot', 'load', saved], merchant), {});
    assert.equal((await cli.run(['snapshot', 'export', again], merchant)).code, 0);
    assert.equal(readFileSync(again, 'utf8'), readFileSync(saved, 'utf8'));
    const captured = await cli.json<{ capture_id: string }>(['capture', PART_CAPTURED, '--amount', '6000'], merchant);
    assert.ok(captured.capture_id);
  });

  it('trigger capture.created prints each call it makes; listen --json --forward-to shows the events and calls and delivers the webhooks', async () => {
    const listening = cli.run(['listen', '--json', '--for', '8', '--forward-to', `${shop.origin}/forwarded`], merchant);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const triggered = await cli.run(['trigger', 'capture.created'], merchant);
    assert.equal(triggered.code, 0, triggered.stderr);
    const lines = triggered.stdout.trim().split('\n');
    assert.match(lines[0]!, /^POST \/checkout\/v3\/orders → 201 order_id=[0-9a-f-]{36}$/);
    assert.match(lines[1]!, /^POST \/sandbox\/v1\/checkout\/[0-9a-f-]{36}\/complete → 200/);
    assert.match(lines[2]!, /^POST \/ordermanagement\/v1\/orders\/[0-9a-f-]{36}\/captures → 201 capture_id=[0-9a-f-]{36}$/);

    const listened = await listening;
    assert.equal(listened.code, 0, listened.stderr);
    assert.match(listened.stderr, /Forwarding every event to .*\/forwarded \(webhook [0-9a-f-]{36}, signing secret /);
    const seen = listened.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; type?: string; kind?: string; response_status?: number });
    assert.ok(seen.some((s) => s.source === 'event' && s.type === 'ORDER_CREATED'), listened.stdout);
    assert.ok(seen.some((s) => s.source === 'event' && s.type === 'CAPTURE_CREATED'), listened.stdout);
    assert.ok(seen.some((s) => s.source === 'call' && s.kind === 'webhook' && s.response_status === 200), listened.stdout);
    const forwarded = shop.received.filter((r) => r.path === '/forwarded').map((r) => (JSON.parse(r.body) as { type: string }).type);
    assert.ok(forwarded.includes('capture.created'), forwarded.join(','));
    // The endpoint listen registered is gone once it stops.
    assert.ok(!(await cli.json<{ webhooks: { url: string }[] }>(['webhooks', 'list'], merchant)).webhooks.some((w) => w.url.endsWith('/forwarded')));

    const calls = await cli.json<{ calls: { kind: string }[] }>(['calls', '--kind', 'webhook', '--limit', '5'], merchant);
    assert.ok(calls.calls.length > 0 && calls.calls.every((c) => c.kind === 'webhook'));
  });

  it('every event trigger knows is caused by the calls it prints, each answered 2xx, and the event is then in the log', async () => {
    const created = await cli.json<{ username: string; password: string }>(['merchants', 'create', '--name', 'Trigger AB'], { OPENOM_URL: server.base, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN });
    const m = { OPENOM_URL: server.base, OPENOM_USERNAME: created.username, OPENOM_PASSWORD: created.password };
    const events: [string, string][] = [
      ['order.created', 'ORDER_CREATED'],
      ['refund.created', 'REFUND_CREATED'],
      ['openom.order.cancelled', 'ORDER_CANCELLED'],
      ['openom.order.released', 'REMAINING_AUTHORIZATION_RELEASED'],
      ['openom.order.fraud_status_changed', 'FRAUD_STATUS_CHANGED'],
      ['openom.order.expired', 'ORDER_EXPIRED'],
    ];
    for (const [event, type, ...extra] of [...events, ['openom.order.fraud_status_changed', 'ORDER_CANCELLED', '--decision', 'REJECTED']]) {
      const r = await cli.run(['trigger', event!, ...extra], m);
      assert.equal(r.code, 0, `${event}: ${r.stderr}`);
      for (const line of r.stdout.trim().split('\n')) assert.match(line, / → 2\d\d/, `${event}: ${line}`);
      const orderId = /order_id=([0-9a-f-]{36})/.exec(r.stdout)?.[1];
      const seen = async () => {
        const res = await fetch(`${server.base}/sandbox/v1/events?after=0&limit=1000`, { headers: { authorization: `Basic ${Buffer.from(`${created.username}:${created.password}`).toString('base64')}` } });
        const found = ((await res.json()) as { events: { order_id: string; type: string }[] }).events.some((e) => e.order_id === orderId && e.type === type);
        return found ? true : undefined;
      };
      await eventually(`${type} of ${event}`, seen);
    }
  });

  it('an event trigger cannot cause is a usage error naming the ones it can', async () => {
    const r = await cli.run(['trigger', 'order.shipped'], merchant);
    assert.equal(r.code, 2);
    assert.match(failureLine(r), /capture\.created/);
  });

  it('checkout create and complete, push, fraud decide, webhooks and faults', async () => {
    const checkout = await cli.json<{ order_id: string; status: string }>(['checkout', 'create', '--file', join(REPO_ROOT, 'examples', 'checkout-se.json')], merchant);
    assert.equal(checkout.status, 'checkout_incomplete');
    assert.equal((await cli.json<{ status: string }>(['checkout', 'get', checkout.order_id], merchant)).status, 'checkout_incomplete');
    await cli.json(['checkout', 'complete', checkout.order_id, '--outcome', 'accepted'], merchant);
    assert.deepEqual(await cli.json(['push', checkout.order_id], merchant), {});
    assert.deepEqual(await cli.json(['fraud', 'decide', PENDING, '--decision', 'ACCEPTED'], merchant), {});
    assert.equal((await cli.json<{ fraud_status: string }>(['orders', 'get', PENDING], merchant)).fraud_status, 'ACCEPTED');

    const hook = await cli.json<{ webhook_id: string; events: string[] }>(['webhooks', 'create', '--endpoint-url', `${shop.origin}/hooks`, '--events', 'capture.created'], merchant);
    assert.deepEqual(hook.events, ['capture.created']);
    assert.deepEqual(await cli.json(['webhooks', 'delete', hook.webhook_id], merchant), {});

    const fault = await cli.json<{ fault_id: string; status: number }>(['faults', 'create', '--method', 'POST', '--path', '/ordermanagement/v1/orders/*/captures', '--status', '503'], merchant);
    assert.equal(fault.status, 503);
    assert.equal((await cli.json<{ faults: unknown[] }>(['faults', 'list'], merchant)).faults.length, 1);
    assert.deepEqual(await cli.json(['faults', 'delete', fault.fault_id], merchant), {});
    assert.equal((await cli.json<{ faults: unknown[] }>(['faults', 'list'], merchant)).faults.length, 0);
  });

  it('logs --file prints a JSON log readable', async () => {
    const file = join(dir, 'server.log');
    writeFileSync(file, `${JSON.stringify({ level: 30, time: 0, method: 'GET', route: '/ordermanagement/v1/orders/:order_id', order_id: 'o1', status: 200, duration_ms: 2, msg: 'request' })}\nplain text\n`);
    const r = await cli.run(['logs', '--file', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1970-01-01 00:00:00.000 INFO  GET /ordermanagement/v1/orders/o1 200 2ms order_id=o1\nplain text\n');
  });
});
