// Starting OpenOM as a real process on a real port (CONTRACT §1): first start prints the generated
// admin token and sandbox credentials once, they work, a restart prints no secrets and keeps them.
// Every start shows the first screen: URL, /docs, the store (never its password), the sandbox merchant.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTempPostgresDatabase, postgresOrSkip } from '../support/harness.js';
import { freePort, spawnOpenOM, waitForStatus, type RunningServer } from '../support/process.js';

interface Secrets {
  adminToken?: string;
  sandboxUsername?: string;
  sandboxPassword?: string;
}

/** The first screen names the URL, /docs, the store and the sandbox merchant, and never the store's password. */
function assertFirstScreen(out: string, base: string, databaseUrl: string, merchantId: string): void {
  assert.ok(out.includes(`OpenOM is ready at ${base}`), out);
  assert.ok(out.includes(`${base}/docs`), out);
  assert.ok(out.includes(`merchant_id ${merchantId}`), out);
  if (databaseUrl.startsWith('sqlite:')) assert.ok(out.includes(`SQLite file ${databaseUrl.slice('sqlite:'.length)}`), out);
  else assert.ok(out.includes(`PostgreSQL database "${new URL(databaseUrl).pathname.slice(1)}" on 127.0.0.1:5432`), out);
  assert.ok(!out.includes(DB_PASSWORD));
}

function secretsIn(stdout: string): Secrets {
  return {
    adminToken: /admin token:\s+(\S+)/.exec(stdout)?.[1],
    sandboxUsername: /sandbox username:\s+(\S+)/.exec(stdout)?.[1],
    sandboxPassword: /sandbox password:\s+(\S+)/.exec(stdout)?.[1],
  };
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** The same URL with a password in it: trust authentication ignores it, the first screen must not show it. */
function withPassword(url: string): string {
  const u = new URL(url);
  u.password = DB_PASSWORD;
  return u.toString();
}
const DB_PASSWORD = 'db-password-never-shown';

async function startAndWaitReady(databaseUrl: string, env: Record<string, string> = {}): Promise<{ server: RunningServer; base: string; readyMs: number }> {
  const port = await freePort();
  const startedAt = performance.now();
  const server = spawnOpenOM({ PORT: String(port), DATABASE_URL: databaseUrl.startsWith('postgres') ? withPassword(databaseUrl) : databaseUrl, LOG_LEVEL: 'warn', ...env });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForStatus(`${base}/health/ready`, 200, 30_000, server);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const readyMs = performance.now() - startedAt;
  // The secrets are written right after readiness flips; give stdout a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { server, base, readyMs };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`startup: a real OpenOM process [${backend}]`, { concurrency: false }, async () => {
    if (backend === 'postgres' && !(await postgresOrSkip())) return;
    let databaseUrl = '';
    let cleanup = async () => {};
    let first: Secrets = {};
    let sandboxMerchantId = '';
    before(async () => {
      if (backend === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'openom-startup-'));
        databaseUrl = `sqlite:${join(dir, 'nested', 'openom.sqlite')}`;
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const db = await createTempPostgresDatabase();
        databaseUrl = db.url;
        cleanup = db.drop;
      }
    });
    after(async () => {
      await cleanup();
    });

    it('first start: ready, prints the first screen with the admin token and sandbox credentials once, and they work', async () => {
      const { server, base, readyMs } = await startAndWaitReady(databaseUrl);
      try {
        console.log(`[${backend}] spawn → /health/ready 200 in ${Math.round(readyMs)} ms (node --import tsx, first start)`);
        assert.equal((await fetch(`${base}/health/live`)).status, 200);
        assert.equal((await fetch(`${base}/health/ready`)).status, 200);

        const out = server.stdout();
        first = secretsIn(out);
        assert.ok(first.adminToken, `no admin token printed:\n${out}`);
        assert.ok(first.sandboxUsername, `no sandbox username printed:\n${out}`);
        assert.ok(first.sandboxPassword, `no sandbox password printed:\n${out}`);
        for (const secret of Object.values(first)) assert.equal(out.split(secret!).length - 1, 1, `${secret} printed more than once`);

        const merchants = await fetch(`${base}/admin/v1/merchants`, { headers: { authorization: `Bearer ${first.adminToken}` } });
        assert.equal(merchants.status, 200);
        const list = (await merchants.json()) as { merchants: { username: string; merchant_id: string }[] };
        assert.deepEqual(list.merchants.map((m) => m.username), [first.sandboxUsername]);
        sandboxMerchantId = list.merchants[0]!.merchant_id;
        assertFirstScreen(out, base, databaseUrl, sandboxMerchantId);

        const order = await fetch(`${base}/ordermanagement/v1/orders/00000000-0000-4000-8000-000000000000`, {
          headers: { authorization: basic(first.sandboxUsername!, first.sandboxPassword!) },
        });
        assert.equal(order.status, 404);
        const body = (await order.json()) as { error_code: string; correlation_id: string };
        assert.equal(body.error_code, 'NO_SUCH_ORDER');
        assert.equal(body.correlation_id, order.headers.get('klarna-correlation-id'));

        const wrong = await fetch(`${base}/admin/v1/merchants`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
        assert.equal(wrong.status, 401);
      } finally {
        const { code } = await server.stop();
        assert.equal(code, 0, `SIGTERM should exit 0; stderr:\n${server.stderr()}`);
      }
    });

    it('second start on the same store: prints the first screen but no secrets, the first admin token and sandbox login still work', async () => {
      assert.ok(first.adminToken, 'first start did not run');
      const { server, base, readyMs } = await startAndWaitReady(databaseUrl);
      try {
        console.log(`[${backend}] spawn → /health/ready 200 in ${Math.round(readyMs)} ms (node --import tsx, restart)`);
        const again = secretsIn(server.stdout());
        assert.deepEqual(again, { adminToken: undefined, sandboxUsername: undefined, sandboxPassword: undefined }, server.stdout());
        assertFirstScreen(server.stdout(), base, databaseUrl, sandboxMerchantId);
        assert.ok(!server.stdout().includes(first.adminToken!));
        assert.ok(!server.stdout().includes(first.sandboxPassword!));

        const merchants = await fetch(`${base}/admin/v1/merchants`, { headers: { authorization: `Bearer ${first.adminToken}` } });
        assert.equal(merchants.status, 200);
        assert.equal(((await merchants.json()) as { merchants: unknown[] }).merchants.length, 1, 'a second sandbox merchant was created');
        const order = await fetch(`${base}/ordermanagement/v1/orders/00000000-0000-4000-8000-000000000000`, {
          headers: { authorization: basic(first.sandboxUsername!, first.sandboxPassword!) },
        });
        assert.equal(order.status, 404);
      } finally {
        const { code } = await server.stop();
        assert.equal(code, 0);
      }
    });

    it('sandbox variables set on a store whose sandbox merchant exists: applied at start and logged without the secret; the old password is refused', async () => {
      assert.ok(first.sandboxPassword, 'first start did not run');
      const next = { username: 'renamed_sandbox_shop', password: 'new-sandbox-secret-42' };
      const { server, base } = await startAndWaitReady(databaseUrl, { LOG_LEVEL: 'info', OPENOM_SANDBOX_USERNAME: next.username, OPENOM_SANDBOX_PASSWORD: next.password });
      try {
        const unknownOrder = `${base}/ordermanagement/v1/orders/00000000-0000-4000-8000-000000000000`;
        assert.equal((await fetch(unknownOrder, { headers: { authorization: basic(next.username, next.password) } })).status, 404, 'the new credentials log in');
        assert.equal((await fetch(unknownOrder, { headers: { authorization: basic(first.sandboxUsername!, first.sandboxPassword!) } })).status, 401);
        const output = server.stdout() + server.stderr();
        const line = output.split('\n').find((l) => l.includes('sandbox merchant credentials set from the environment'));
        assert.ok(line, `not logged:\n${output}`);
        assert.deepEqual((JSON.parse(line) as { applied: string[] }).applied, ['OPENOM_SANDBOX_USERNAME', 'OPENOM_SANDBOX_PASSWORD']);
        assert.ok(!output.includes(next.password), 'the password was printed');
        assertFirstScreen(server.stdout(), base, databaseUrl, sandboxMerchantId);
      } finally {
        assert.equal((await server.stop()).code, 0);
      }
      // The same values again: nothing to apply, nothing logged.
      const again = await startAndWaitReady(databaseUrl, { LOG_LEVEL: 'info', OPENOM_SANDBOX_USERNAME: next.username, OPENOM_SANDBOX_PASSWORD: next.password });
      try {
        assert.ok(!(again.server.stdout() + again.server.stderr()).includes('sandbox merchant credentials set'), again.server.stdout());
      } finally {
        await again.server.stop();
      }
    });

    it('OPENOM_MODE=production on an empty store: no merchant is made and no merchant credential printed; the admin token is, once', async () => {
      const { url, drop } = await emptyStore();
      const { server, base } = await startAndWaitReady(url, { OPENOM_MODE: 'production', LOG_LEVEL: 'info' });
      try {
        const output = server.stdout() + server.stderr();
        assert.doesNotMatch(output, /sandbox (merchant|username|password)/i, output);
        const adminToken = secretsIn(server.stdout()).adminToken;
        assert.ok(adminToken, `no admin token printed:\n${server.stdout()}`);
        const merchants = await fetch(`${base}/admin/v1/merchants`, { headers: { authorization: `Bearer ${adminToken}` } });
        assert.deepEqual(await merchants.json(), { merchants: [] });
      } finally {
        assert.equal((await server.stop()).code, 0);
        await drop();
      }
    });

    /** A store of its own for one test. */
    async function emptyStore(): Promise<{ url: string; drop: () => Promise<void> }> {
      if (backend === 'postgres') return createTempPostgresDatabase();
      const dir = mkdtempSync(join(tmpdir(), 'openom-startup-env-'));
      return { url: `sqlite:${join(dir, 'openom.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    }

    it('OPENOM_ADMIN_TOKEN and sandbox variables set: nothing is printed and the configured values work', async () => {
      const { url, drop } = await emptyStore();
      const port = await freePort();
      const server = spawnOpenOM({
        PORT: String(port),
        DATABASE_URL: url,
        LOG_LEVEL: 'warn',
        OPENOM_ADMIN_TOKEN: 'configured-admin-token-123456',
        OPENOM_SANDBOX_USERNAME: 'sandbox_shop',
        OPENOM_SANDBOX_PASSWORD: 'sandbox-secret-pw',
      });
      const base = `http://127.0.0.1:${port}`;
      try {
        await waitForStatus(`${base}/health/ready`, 200, 30_000, server);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.ok(!server.stdout().includes('configured-admin-token-123456'));
        assert.ok(!server.stdout().includes('sandbox-secret-pw'));
        const merchants = await fetch(`${base}/admin/v1/merchants`, { headers: { authorization: 'Bearer configured-admin-token-123456' } });
        assert.equal(merchants.status, 200);
        const order = await fetch(`${base}/ordermanagement/v1/orders/00000000-0000-4000-8000-000000000000`, {
          headers: { authorization: basic('sandbox_shop', 'sandbox-secret-pw') },
        });
        assert.equal(order.status, 404);
      } finally {
        await server.stop();
        await drop();
      }
    });
  });
}
