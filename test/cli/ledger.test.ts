// `npm run ledger:check` (issue 5, item 4): exit 0 on a consistent store written by a real process,
// exit 1 naming each broken invariant once a row is tampered with, exit 2 when the store is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { REPO_ROOT, cleanEnv } from '../support/process.js';
import { createMerchant, createOrder, instanceEnv, orderPath, send, startInstance } from './cluster.js';

function ledgerCheck(databaseUrl: string) {
  const r = spawnSync('npm', ['run', '-s', 'ledger:check'], { cwd: REPO_ROOT, env: cleanEnv({ DATABASE_URL: databaseUrl }), encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('npm run ledger:check', () => {
  it('exits 0 on a consistent store, 1 with each violation named after tampering, 2 when the store is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-ledger-'));
    const path = join(dir, 'openom.sqlite');
    try {
      const inst = await startInstance(instanceEnv(`sqlite:${path}`));
      try {
        const m = await createMerchant(inst.base);
        const o = await createOrder(inst.base, m, 1_000);
        assert.equal((await send(inst.base, { path: orderPath(o, '/captures'), auth: m, body: { captured_amount: 400 } })).status, 201);
        assert.equal((await send(inst.base, { path: orderPath(o, '/refunds'), auth: m, body: { refunded_amount: 100 } })).status, 201);
      } finally {
        await inst.server.stop();
      }
      const ok = ledgerCheck(`sqlite:${path}`);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /1 orders, 1 captures, 1 refunds, 3 events.*OK/);

      const db = new SQLite(path);
      db.prepare('update captures set captured_amount = 300').run();
      db.close();
      const bad = ledgerCheck(`sqlite:${path}`);
      assert.equal(bad.code, 1, bad.out);
      assert.match(bad.out, /VIOLATION captures_sum/);
      assert.match(bad.out, /VIOLATION capture_event_amount/);

      const missing = ledgerCheck(`sqlite:${join(dir, 'nope.sqlite')}`);
      assert.equal(missing.code, 2, missing.out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
