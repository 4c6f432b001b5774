// Secrets never logged (issue 5, Harden): a real OpenOM process at the most verbose log level,
// with its credentials from the environment (so the one-time generated-secrets banner has nothing
// to print), serves successful and failed logins. Its whole stdout and stderr must not contain
// any password, admin token or Authorization header value, right or wrong.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ADMIN_TOKEN,
  basicAuth,
  createMerchant,
  createOrder,
  instanceEnv,
  orderPath,
  SANDBOX_PASSWORD,
  SANDBOX_USERNAME,
  send,
  startInstance,
} from './cluster.js';

describe('secrets stay out of the logs', () => {
  it('a process at LOG_LEVEL=trace serving good and bad credentials never writes a password, token or Authorization value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-secrets-'));
    const inst = await startInstance(instanceEnv(`sqlite:${join(dir, 'openom.sqlite')}`, { LOG_LEVEL: 'trace' }));
    const secrets = new Set<string>([ADMIN_TOKEN, SANDBOX_PASSWORD]);
    try {
      const merchant = await createMerchant(inst.base, 'Secretive AB');
      secrets.add(merchant.password);
      const orderId = await createOrder(inst.base, merchant, 10_000);
      const wrong = ['Wrong-Password-7f3a9c', `${merchant.password}x`, merchant.password.slice(0, -1)];
      wrong.forEach((w) => secrets.add(w));
      const sandbox = { username: SANDBOX_USERNAME, password: SANDBOX_PASSWORD };

      const expectations: [Parameters<typeof send>[1], number][] = [
        [{ path: orderPath(orderId), auth: merchant }, 200],
        [{ path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: 100 } }, 201],
        [{ path: orderPath(orderId), auth: sandbox }, 404],
        ...wrong.map((w): [Parameters<typeof send>[1], number] => [{ path: orderPath(orderId), auth: { username: merchant.username, password: w } }, 401]),
        [{ path: orderPath(orderId), auth: { username: 'no-such-user', password: SANDBOX_PASSWORD } }, 401],
        [{ path: orderPath(orderId), headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, 401],
        [{ path: '/admin/v1/merchants', headers: { authorization: basicAuth(merchant.username, merchant.password) } }, 401],
        [{ path: '/admin/v1/merchants', headers: { authorization: `Bearer ${SANDBOX_PASSWORD}` } }, 401],
        [{ path: '/admin/v1/merchants', headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } }, 401],
        [{ path: '/admin/v1/merchants', auth: 'admin' }, 200],
        [{ path: orderPath(orderId, '/captures'), auth: merchant, body: '{"captured_amount": ' }, 400],
      ];
      for (const [req, status] of expectations) {
        const r = await send(inst.base, req);
        assert.equal(r.status, status, `${req.path}: ${r.text}`);
      }
      secrets.add(`${ADMIN_TOKEN}x`);
      for (const s of [...secrets]) {
        secrets.add(Buffer.from(`${merchant.username}:${s}`).toString('base64'));
        secrets.add(Buffer.from(`${SANDBOX_USERNAME}:${s}`).toString('base64'));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      const exit = await inst.server.stop();
      assert.equal(exit.code, 0);
      rmSync(dir, { recursive: true, force: true });
    }
    const output = inst.server.stdout() + inst.server.stderr();
    const requestLines = output.split('\n').filter((l) => l.includes('"msg":"request"')).length;
    assert.ok(requestLines >= 10, `expected request log lines to scan, got ${requestLines}:\n${output.slice(0, 500)}`);
    assert.doesNotMatch(output, /will not be shown again/, 'a secrets banner was printed although every secret came from the environment');
    for (const s of secrets) assert.ok(!output.includes(s), `a secret appears in the logs: ${s.slice(0, 4)}…`);
    assert.doesNotMatch(output, /basic [A-Za-z0-9+/=]{8,}/i, 'an Authorization header value appears in the logs');
    console.log(`[secrets] ${output.split('\n').length} log lines (${requestLines} request lines, LOG_LEVEL=trace) scanned for ${secrets.size} secret strings: 0 found`);
  });
});
