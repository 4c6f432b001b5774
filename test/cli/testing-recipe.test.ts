// The test-framework recipe of clients/testing (CONTRACT §15): its example suite runs as a user runs
// it (node --test, a process of its own), starting an in-memory OpenOM and a fresh merchant per test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { it } from 'node:test';
import { freshMerchant, startOpenOM } from '../../clients/testing/openom.js';
import { REPO_ROOT } from '../support/process.js';

it('the example suite of clients/testing passes under node --test', async () => {
  // Not a child of this test run (whose NODE_TEST_CONTEXT it would report to): a run of its own.
  const { NODE_TEST_CONTEXT: _ours, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'clients/testing/example.test.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.resume();
  const [code] = (await once(child, 'close')) as [number | null];
  const r = { code, stdout };
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /# pass 2/);
  assert.match(r.stdout, /# fail 0/);
});

it('startOpenOM serves on a free port; fresh merchants are distinct; stop ends it', async () => {
  const openom = await startOpenOM();
  try {
    const [a, b] = await Promise.all([freshMerchant(openom), freshMerchant(openom)]);
    assert.notEqual(a.merchant_id, b.merchant_id);
    const clock = await fetch(`${openom.url}/sandbox/v1/clock`, { headers: { authorization: a.authorization } });
    assert.equal(clock.status, 200);
  } finally {
    await openom.stop();
  }
  assert.equal(await fetch(`${openom.url}/health/live`).then((r) => r.status, () => 0), 0);
});
