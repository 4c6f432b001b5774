// `openom payouts list|get|csv` (CONTRACT §11) against a running server: a capture and a refund,
// the clock a week on, then the payout as JSON and its report as CSV, with the same amounts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_TOKEN, instanceEnv, startInstance, type Instance } from '../reliability/cluster.js';
import { buildCli, failureLine, type Cli } from './run.js';

interface Payouts {
  payouts: { payment_reference: string; totals: { settlement_amount: number; sale_amount: number; return_amount: number } }[];
}

describe('openom payouts', { concurrency: false }, () => {
  let dir: string;
  let cli: Cli;
  let server: Instance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openom-cli-payouts-'));
    [cli, server] = await Promise.all([buildCli(), startInstance(instanceEnv(`sqlite:${join(dir, 'openom.sqlite')}`))]);
  });
  after(async () => {
    await server?.server.stop();
    cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('list, get and csv show the payout a capture and a refund make a week later', async () => {
    const admin = { OPENOM_URL: server.base, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN };
    const created = await cli.json<{ merchant_id: string; username: string; password: string }>(['merchants', 'create', '--name', 'Payout CLI AB'], admin);
    const merchant = { OPENOM_URL: server.base, OPENOM_USERNAME: created.username, OPENOM_PASSWORD: created.password };
    const order = await cli.json<{ order_id: string }>(['orders', 'create', '--merchant', created.merchant_id, '--file', join(REPO_EXAMPLES, 'order-se.json')], admin);
    assert.equal((await cli.run(['capture', order.order_id, '--amount', '6000'], merchant)).code, 0);
    assert.equal((await cli.run(['refund', order.order_id, '--amount', '1000'], merchant)).code, 0);
    assert.equal((await cli.json<Payouts>(['payouts', 'list'], merchant)).payouts.length, 0);
    await cli.json(['clock', 'advance', '--seconds', String(8 * 86_400)], merchant);
    let list: Payouts = { payouts: [] };
    for (let i = 0; i < 100 && list.payouts.length === 0; i++) {
      await sleep(200);
      list = await cli.json<Payouts>(['payouts', 'list'], merchant);
    }
    const [payout] = list.payouts;
    assert.deepEqual([payout?.totals.sale_amount, payout?.totals.return_amount, payout?.totals.settlement_amount], [6_000, 1_000, 5_000]);
    const one = await cli.json<{ payment_reference: string }>(['payouts', 'get', payout!.payment_reference], merchant);
    assert.equal(one.payment_reference, payout!.payment_reference);
    const csv = await cli.run(['payouts', 'csv', payout!.payment_reference], merchant);
    assert.equal(csv.code, 0);
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n');
    assert.match(header!, /^amount,capture_id,/);
    assert.deepEqual(rows.map((r) => Number(r.split(',')[0])), [6_000, -1_000]);
    const missing = await cli.run(['payouts', 'get', 'NOPE'], merchant);
    assert.equal(missing.code, 1);
    assert.match(failureLine(missing), /^openom: 404 NOT_FOUND: /);
  });
});

const REPO_EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
