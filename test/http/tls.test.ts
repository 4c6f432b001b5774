// HTTPS (CONTRACT §9) on a real process: the self-signed certificate OpenOM makes once beside
// the store, the operator's own PEM files, and the start-up mistakes that stop it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeSelfSigned } from '../../src/tls.js';
import { assertStopsWithOneLine, freePort, httpsCall, spawnOpenOM, waitForStatus, type RunningServer } from '../support/process.js';

const ADMIN = 'tls-admin-token-0123456789';
const SHOP = { username: 'tls_shop', password: 'tls-shop-password' };
const basic = `Basic ${Buffer.from(`${SHOP.username}:${SHOP.password}`).toString('base64')}`;

const dir = mkdtempSync(join(tmpdir(), 'openom-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The header names of a response exactly as on the wire. */
const namesOf = (rawHeaders: string[]) => rawHeaders.filter((_, i) => i % 2 === 0);

async function startHttps(env: Record<string, string>, certPath: string): Promise<{ server: RunningServer; base: string; ca: Buffer }> {
  const port = await freePort();
  const server = spawnOpenOM({ PORT: String(port), LOG_LEVEL: 'warn', OPENOM_ADMIN_TOKEN: ADMIN, OPENOM_SANDBOX_USERNAME: SHOP.username, OPENOM_SANDBOX_PASSWORD: SHOP.password, ...env });
  const base = `https://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 30_000;
    while (!existsSync(certPath) && Date.now() < deadline && server.child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    const ca = readFileSync(certPath);
    await waitForStatus(`${base}/health/ready`, 200, 30_000, server, ca);
    // The banner is written right after readiness flips.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { server, base, ca };
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message}\n${server.stderr()}`);
  }
}

describe('HTTPS with OPENOM_TLS=self-signed', { concurrency: false }, () => {
  const storeDir = join(dir, 'self-signed');
  const certPath = join(storeDir, 'openom-self-signed-cert.pem');
  const env = { DATABASE_URL: `sqlite:${join(storeDir, 'openom.sqlite')}`, OPENOM_TLS: 'self-signed' };
  let firstCert: Buffer | undefined;

  it('makes a certificate beside the SQLite store, serves HTTPS with it and prints its path; a capture over HTTPS → 201 with Location', async () => {
    const { server, base, ca } = await startHttps(env, certPath);
    try {
      firstCert = ca;
      assert.ok(existsSync(join(storeDir, 'openom-self-signed-key.pem')));
      assert.ok(server.stdout().includes(certPath), server.stdout());
      assert.ok(server.stdout().includes(`${base}/docs`), server.stdout());

      const merchants = JSON.parse((await httpsCall(`${base}/admin/v1/merchants`, { ca, headers: { authorization: `Bearer ${ADMIN}` } })).body) as { merchants: { merchant_id: string }[] };
      const merchantId = merchants.merchants[0]!.merchant_id;
      const order = {
        purchase_country: 'SE',
        purchase_currency: 'SEK',
        order_amount: 1000,
        order_lines: [{ name: 'Gift card', type: 'gift_card', quantity: 1, unit_price: 1000, total_amount: 1000 }],
      };
      const created = await httpsCall(`${base}/admin/v1/merchants/${merchantId}/orders`, { ca, method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(order) });
      assert.equal(created.status, 201, created.body);
      const orderId = (JSON.parse(created.body) as { order_id: string }).order_id;

      const captured = await httpsCall(`${base}/ordermanagement/v1/orders/${orderId}/captures`, { ca, method: 'POST', headers: { authorization: basic }, body: JSON.stringify({ captured_amount: 400 }) });
      assert.equal(captured.status, 201, captured.body);
      assert.ok(namesOf(captured.rawHeaders).includes('Location'), captured.rawHeaders.join(' '));
      assert.ok(namesOf(captured.rawHeaders).includes('Capture-Id'));
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });

  it('restarted: keeps the same certificate and prints its path again', async () => {
    assert.ok(firstCert, 'first start did not run');
    const { server } = await startHttps(env, certPath);
    try {
      assert.ok(readFileSync(certPath).equals(firstCert));
      assert.ok(server.stdout().includes(certPath), server.stdout());
    } finally {
      await server.stop();
    }
  });

  it('is valid for 127.0.0.1, localhost and api.kustom.co (a hosts entry), and refused by a client that does not trust it', async () => {
    const { server, base, ca } = await startHttps(env, certPath);
    const port = new URL(base).port;
    try {
      assert.equal((await httpsCall(`https://localhost:${port}/health/live`, { ca, resolveTo: '127.0.0.1' })).status, 200);
      assert.equal((await httpsCall(`https://api.kustom.co:${port}/health/live`, { ca, resolveTo: '127.0.0.1' })).status, 200);
      await assert.rejects(httpsCall(`${base}/health/live`, { ca: undefined }), /self[- ]signed/i);
    } finally {
      await server.stop();
    }
  });

  it('NODE_EXTRA_CA_CERTS is all a Node client needs (the README recipe)', async () => {
    const { server, base } = await startHttps(env, certPath);
    try {
      const client = spawn(process.execPath, ['-e', `fetch(${JSON.stringify(`${base}/health/ready`)}).then((r) => console.log(r.status), (e) => console.log(e.cause?.code ?? e.message))`], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      client.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      await once(client, 'exit');
      assert.equal(out.trim(), '200');
    } finally {
      await server.stop();
    }
  });
});

describe('HTTPS with OPENOM_TLS_CERT and OPENOM_TLS_KEY', () => {
  const certPath = join(dir, 'operator-cert.pem');
  const keyPath = join(dir, 'operator-key.pem');
  const notPem = join(dir, 'not-a-certificate.pem');

  it('serves HTTPS with the given files and names the certificate on the first screen', async () => {
    const pair = await makeSelfSigned(new Date());
    writeFileSync(certPath, pair.cert);
    writeFileSync(keyPath, pair.key);
    const { server } = await startHttps({ DATABASE_URL: 'sqlite::memory:', OPENOM_TLS_CERT: certPath, OPENOM_TLS_KEY: keyPath }, certPath);
    try {
      assert.match(server.stdout(), /OpenOM is ready at https:\/\/127\.0\.0\.1:\d+/);
      assert.ok(server.stdout().includes(certPath));
    } finally {
      await server.stop();
    }
  });

  it('a key file that cannot be read stops the process with one line naming OPENOM_TLS_KEY', async () => {
    const line = await assertStopsWithOneLine({ DATABASE_URL: 'sqlite::memory:', OPENOM_TLS_CERT: certPath, OPENOM_TLS_KEY: join(dir, 'missing-key.pem') }, 'OPENOM_TLS_KEY');
    assert.match(line, /missing-key\.pem/);
  });

  it('a certificate file that is not PEM stops the process with one line naming OPENOM_TLS_CERT', async () => {
    writeFileSync(notPem, 'hello');
    await assertStopsWithOneLine({ DATABASE_URL: 'sqlite::memory:', OPENOM_TLS_CERT: notPem, OPENOM_TLS_KEY: keyPath }, 'OPENOM_TLS_CERT');
  });

  it('a certificate without its key stops the process with one line naming OPENOM_TLS_KEY', async () => {
    await assertStopsWithOneLine({ DATABASE_URL: 'sqlite::memory:', OPENOM_TLS_CERT: certPath }, 'OPENOM_TLS_KEY');
  });
});
