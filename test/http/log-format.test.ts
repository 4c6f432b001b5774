// LOG_FORMAT=pretty (CONTRACT §15): readable lines, no JSON; JSON stays the default.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyLine } from '../../src/logFormat.js';
import { freePort, spawnOpenOM, waitForStatus } from '../support/process.js';

describe('LOG_FORMAT', () => {
  it('a request line reads as time, level name, method, path, status and milliseconds', () => {
    const json = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), service: 'openom', merchant_id: 'm1', order_id: 'o1', method: 'POST', route: '/ordermanagement/v1/orders/:order_id/captures', status: 201, duration_ms: 12.5, msg: 'request' });
    assert.equal(prettyLine(json), '2026-01-02 03:04:05.678 INFO  POST /ordermanagement/v1/orders/o1/captures 201 12.5ms merchant_id=m1 order_id=o1');
  });

  it('a job attempt, a warning and a line that is not JSON', () => {
    const job = JSON.stringify({ level: 30, time: 0, kind: 'webhook', attempt: 2, url: 'http://shop/hooks', status: 500, duration_ms: 3, next: 'pending', job_id: 7, msg: 'job attempt' });
    assert.equal(prettyLine(job), '1970-01-01 00:00:00.000 INFO  job webhook #2 http://shop/hooks 500 3ms → pending');
    assert.equal(prettyLine(JSON.stringify({ level: 40, time: 0, msg: 'store not ready; retrying', attempt: 3 })), '1970-01-01 00:00:00.000 WARN  store not ready; retrying');
    assert.equal(prettyLine('not json'), 'not json');
  });

  it('a server started with LOG_FORMAT=pretty writes readable lines and no JSON', async () => {
    const port = await freePort();
    const server = spawnOpenOM({ PORT: String(port), DATABASE_URL: 'sqlite::memory:', LOG_FORMAT: 'pretty', OPENOM_WORKER_CONCURRENCY: '0' });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/health/ready`, 200, 60_000, server);
      assert.equal((await fetch(`http://127.0.0.1:${port}/ordermanagement/v1/orders/0b6a1c8e-1111-4c3b-8d2e-000000000001`)).status, 401);
      const deadline = Date.now() + 10_000;
      while (!/ 401 /.test(server.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const lines = server.stdout().split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
      assert.ok(lines.some((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO {2}GET \/ordermanagement\/v1\/orders\/0b6a1c8e-1111-4c3b-8d2e-000000000001 401 [\d.]+ms/.test(l)), server.stdout());
      assert.ok(!server.stdout().split('\n').some((l) => l.startsWith('{"level"')), 'no JSON lines');
    } finally {
      await server.stop();
    }
  });
});
