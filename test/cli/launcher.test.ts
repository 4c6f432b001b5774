// The committed launcher bin/openom.mjs (`npx openom`, `npm run ledger:check`) runs the CLI the build
// put in dist/: `openom start` serves like npm start and stops with exit 0 on SIGTERM, taking the
// server with it. Needs `npm run build` (CI's `npm ci` runs it); skipped without dist/ outside CI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, cleanEnv, freePort, waitForStatus } from '../support/process.js';
import { createMerchant, createOrder, instanceEnv } from '../reliability/cluster.js';
import { runProcess } from './run.js';

const built = ['dist/cli.mjs', 'dist/openom.mjs'].every((file) => existsSync(join(REPO_ROOT, file)));

describe('bin/openom.mjs runs the built CLI', () => {
  if (!built) {
    if (process.env.CI) throw new Error('dist/cli.mjs or dist/openom.mjs is missing in CI: `npm ci` should have built them');
    it('skipped: dist/ is not built (run `npm run build`)', { skip: true }, () => {});
    return;
  }

  it('openom start serves until SIGTERM, then exits 0 with the server; ledger check reads the store it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-start-'));
    const databaseUrl = `sqlite:${join(dir, 'openom.sqlite')}`;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['bin/openom.mjs', 'start'], { cwd: REPO_ROOT, env: cleanEnv({ ...instanceEnv(databaseUrl), PORT: String(port) }), stdio: 'ignore' });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      await waitForStatus(`${base}/health/ready`, 200, 60_000);
      await createOrder(base, await createMerchant(base), 1_000);
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
      await assert.rejects(fetch(`${base}/health/live`), 'the server outlived `openom start`');

      const ledger = await runProcess(process.execPath, ['bin/openom.mjs', 'ledger', 'check'], { DATABASE_URL: databaseUrl });
      assert.equal(ledger.code, 0, ledger.stderr);
      assert.equal((JSON.parse(ledger.stdout) as { orders: number }).orders, 1);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run ledger:check and npx openom reach the same CLI', async () => {
    const npm = await runProcess('npm', ['run', '-s', 'ledger:check'], { DATABASE_URL: 'sqlite:/nonexistent/openom.sqlite' });
    assert.equal(npm.code, 2);
    assert.equal(npm.stderr, 'openom: SQLite file /nonexistent/openom.sqlite does not exist (DATABASE_URL)\n');
    const npx = await runProcess('npm', ['exec', '--offline', '--no', '--', 'openom', '--version'], {});
    assert.equal(npx.code, 0, npx.stderr);
    assert.match(npx.stdout, /^openom \d+\.\d+\.\d+\n$/);
  });
});
