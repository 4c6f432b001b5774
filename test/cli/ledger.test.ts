// `openom ledger check` and `npm run ledger:check` (issue 5, item 4; CONTRACT §9): exit 0 and the
// report on a consistent store written by a real process, exit 1 listing each broken invariant once
// a row is tampered with, exit 2 when the store cannot be read or DATABASE_URL is wrong; on SQLite
// and on PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { createTempPostgresDatabase, PG_BASE_URL, postgresReachable } from '../support/harness.js';
import { createMerchant, createOrder, instanceEnv, orderPath, send, startInstance } from '../reliability/cluster.js';
import { buildCli, failureLine, type Cli } from './run.js';

interface Report {
  store: string;
  orders: number;
  captures: number;
  refunds: number;
  events: number;
  idempotency_keys: number;
  violations: { rule: string; order_id?: string; detail: string }[];
}

/** A real server puts in one order with a capture and a refund, then stops. */
async function writeOneOrder(databaseUrl: string): Promise<void> {
  const inst = await startInstance(instanceEnv(databaseUrl));
  try {
    const m = await createMerchant(inst.base);
    const o = await createOrder(inst.base, m, 1_000);
    assert.equal((await send(inst.base, { path: orderPath(o, '/captures'), auth: m, body: { captured_amount: 400 } })).status, 201);
    assert.equal((await send(inst.base, { path: orderPath(o, '/refunds'), auth: m, body: { refunded_amount: 100 } })).status, 201);
  } finally {
    await inst.server.stop();
  }
}

describe('openom ledger check', () => {
  let cli: Cli;
  before(async () => {
    cli = await buildCli();
  });
  after(() => cli?.remove());

  it('SQLite: exits 0 with the report on a consistent store, 1 listing each violation after tampering, 2 when the store is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-ledger-'));
    const path = join(dir, 'openom.sqlite');
    try {
      await writeOneOrder(`sqlite:${path}`);
      const ok = await cli.run(['ledger', 'check'], { DATABASE_URL: `sqlite:${path}` });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stderr, '');
      const report = JSON.parse(ok.stdout) as Report;
      assert.deepEqual(report, { store: `sqlite:${path}`, orders: 1, captures: 1, refunds: 1, events: 3, idempotency_keys: report.idempotency_keys, violations: [] });

      const db = new SQLite(path);
      db.prepare('update captures set captured_amount = 300').run();
      db.close();
      const bad = await cli.run(['ledger', 'check'], { DATABASE_URL: `sqlite:${path}` });
      assert.equal(bad.code, 1, bad.stderr);
      const rules = (JSON.parse(bad.stdout) as Report).violations.map((v) => v.rule);
      assert.ok(rules.includes('captures_sum') && rules.includes('capture_event_amount'), rules.join(', '));
      assert.equal(bad.stderr, `openom: ledger check: ${rules.length} violation(s) in sqlite:${path}, listed on standard output\n`);

      const missing = await cli.run(['ledger', 'check'], { DATABASE_URL: `sqlite:${join(dir, 'nope.sqlite')}` });
      assert.equal(missing.code, 2);
      assert.equal(failureLine(missing), `openom: SQLite file ${join(dir, 'nope.sqlite')} does not exist (DATABASE_URL)`);
      const wrongUrl = await cli.run(['ledger', 'check'], { DATABASE_URL: 'mysql://localhost/openom' });
      assert.equal(wrongUrl.code, 2);
      assert.match(failureLine(wrongUrl), /^openom: DATABASE_URL must start with /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: exits 0 on a consistent store and names it without its password (user info or ?password=); 2 when it cannot be reached', async (t) => {
    if (!(await postgresReachable())) {
      if (process.env.CI) throw new Error(`PostgreSQL at ${PG_BASE_URL} is unreachable and CI is set: refusing to skip`);
      t.skip(`PostgreSQL at ${PG_BASE_URL} is unreachable`);
      return;
    }
    const db = await createTempPostgresDatabase();
    try {
      await writeOneOrder(db.url);
      const withPassword = new URL(db.url);
      withPassword.password = 'secret-password';
      // Trust authentication ignores the password; the report must not repeat it.
      const ok = await cli.run(['ledger', 'check'], { DATABASE_URL: withPassword.href });
      assert.equal(ok.code, 0, ok.stderr);
      const report = JSON.parse(ok.stdout) as Report;
      assert.equal(report.store, `postgres://${withPassword.username}@${withPassword.host}${withPassword.pathname}`);
      assert.deepEqual([report.orders, report.captures, report.refunds, report.events, report.violations.length], [1, 1, 1, 3, 0]);
      assert.doesNotMatch(ok.stdout, /secret-password/);

      const inQuery = new URL(db.url);
      inQuery.searchParams.set('password', 'query-secret-password');
      const viaQuery = await cli.run(['ledger', 'check'], { DATABASE_URL: inQuery.href });
      assert.equal(viaQuery.code, 0, viaQuery.stderr);
      assert.equal((JSON.parse(viaQuery.stdout) as Report).store, `postgres://${inQuery.username}@${inQuery.host}${inQuery.pathname}?password=***`);
      assert.doesNotMatch(viaQuery.stdout + viaQuery.stderr, /query-secret-password/);

      const down = await cli.run(['ledger', 'check'], { DATABASE_URL: 'postgres://postgres:user-info-secret@127.0.0.1:1/openom?password=query-secret-password' });
      assert.equal(down.code, 2);
      assert.match(failureLine(down), /^openom: cannot read the store postgres:\/\/postgres@127\.0\.0\.1:1\/openom\?password=\*\*\*: /);
      assert.doesNotMatch(down.stdout + down.stderr, /secret/);
    } finally {
      await db.drop();
    }
  });
});
