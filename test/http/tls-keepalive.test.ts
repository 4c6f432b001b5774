// HTTPS keep-alive with sloppy clients (CONTRACT §4, issue 17 §4): a GET that carries `{}` with
// neither Content-Length nor Transfer-Encoding, sent on a kept-alive connection right after a
// capture, is answered every time: 1,000 cycles out of 1,000, whatever the TLS records split.
// A real OpenOM process, so that client and server do not share an event loop (in one process the
// capture's response has always finished before the next request is read, and the race is gone).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, httpsCall, spawnOpenOM, waitForStatus, type RunningServer } from '../support/process.js';
import { basicAuth, RawConnection, requestHead } from '../support/rawHttp.js';

const CYCLES = 1_000;
const ADMIN = 'tls-keepalive-admin-token-0123';
const SHOP = { username: 'keepalive_shop', password: 'keepalive-shop-password' };
/** Each cycle captures 1 öre; a fresh order every so often keeps the order documents small. */
const CAPTURES_PER_ORDER = 100;

describe('HTTPS keep-alive: GET with a stray body right after a capture', { concurrency: false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'openom-tls-keepalive-'));
  const certPath = join(dir, 'openom-self-signed-cert.pem');
  let server: RunningServer;
  let port = 0;
  let ca: Buffer;
  let merchantId = '';

  before(async () => {
    port = await freePort();
    server = spawnOpenOM({
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: `sqlite:${join(dir, 'openom.sqlite')}`,
      OPENOM_TLS: 'self-signed',
      OPENOM_ADMIN_TOKEN: ADMIN,
      OPENOM_SANDBOX_USERNAME: SHOP.username,
      OPENOM_SANDBOX_PASSWORD: SHOP.password,
    });
    const deadline = Date.now() + 30_000;
    while (!existsSync(certPath) && Date.now() < deadline && server.child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    ca = readFileSync(certPath);
    await waitForStatus(`https://127.0.0.1:${port}/health/ready`, 200, 30_000, server, ca);
    const merchants = await httpsCall(`https://127.0.0.1:${port}/admin/v1/merchants`, { ca, headers: { authorization: `Bearer ${ADMIN}` } });
    merchantId = (JSON.parse(merchants.body) as { merchants: { merchant_id: string }[] }).merchants[0]!.merchant_id;
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The order for cycle i: a new one every CAPTURES_PER_ORDER cycles. */
  let currentOrder = '';
  async function orderFor(cycle: number): Promise<string> {
    if (cycle % CAPTURES_PER_ORDER !== 0 && currentOrder) return currentOrder;
    const order = { purchase_country: 'SE', purchase_currency: 'SEK', order_amount: 100_000, order_lines: [{ name: 'Seeds', quantity: 1, unit_price: 100_000, total_amount: 100_000 }] };
    const created = await httpsCall(`https://127.0.0.1:${port}/admin/v1/merchants/${merchantId}/orders`, {
      ca,
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify(order),
    });
    assert.equal(created.status, 201, created.body);
    currentOrder = (JSON.parse(created.body) as { order_id: string }).order_id;
    return currentOrder;
  }

  /** Runs `cycle` CYCLES times; each failure is kept with its reason. Asserts none failed. */
  async function runCycles(what: string, cycle: (i: number, orderId: string) => Promise<void>): Promise<void> {
    const failures: string[] = [];
    const started = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      const orderId = await orderFor(i);
      try {
        await cycle(i, orderId);
      } catch (err) {
        failures.push(`cycle ${i}: ${(err as Error).message}`);
      }
    }
    console.log(`[tls-keepalive] ${what}: ${CYCLES - failures.length} of ${CYCLES} cycles answered in full (${Math.round(performance.now() - started)} ms)`);
    assert.equal(failures.length, 0, `${failures.length} of ${CYCLES} cycles failed:\n${failures.slice(0, 10).join('\n')}`);
  }

  it(`a Node client on a keep-alive agent (the @crystallize/node-klarna pattern: GET, capture, GET) gets every answer in ${CYCLES} cycles`, async () => {
    const agent = new Agent({ keepAlive: true, ca });
    const auth = basicAuth(SHOP);
    // As that library writes every request: a JSON content type, the body with write() and then end(),
    // so a GET's `{}` goes out with neither Content-Length nor Transfer-Encoding (and a POST's chunked).
    const send = (step: string, method: string, path: string, body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json', authorization: auth } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', (err) => reject(new Error(`${step}: ${err.message}`)));
        req.write(body);
        req.end();
      });
    try {
      await runCycles('keep-alive agent', async (_i, orderId) => {
        const path = `/ordermanagement/v1/orders/${orderId}`;
        const first = await send('first GET', 'GET', path, '{}');
        assert.equal(first.status, 200, first.body);
        const capture = await send('capture', 'POST', `${path}/captures`, JSON.stringify({ captured_amount: 1 }));
        assert.equal(capture.status, 201, capture.body);
        const second = await send('GET after the capture', 'GET', path, '{}');
        assert.equal(second.status, 200, second.body);
        assert.equal((JSON.parse(second.body) as { order_id: string }).order_id, orderId);
      });
    } finally {
      agent.destroy();
    }
  });

  /** How the GET and its stray `{}` are written: one TLS record, two, or two with a turn of the event loop between. */
  const splits = ['one record', 'two records', 'two records a moment apart'] as const;

  it(`raw TLS writes: a capture, then on the same connection a GET with a stray {} (split ${splits.length} ways) is answered in ${CYCLES} cycles`, async () => {
    const auth = basicAuth(SHOP);
    let conn: RawConnection | undefined;
    try {
      await runCycles('raw TLS', async (i, orderId) => {
        if (!conn || conn.ended) {
          conn?.close();
          conn = await RawConnection.openTls(port, ca);
        }
        const path = `/ordermanagement/v1/orders/${orderId}`;
        const captureBody = JSON.stringify({ captured_amount: 1 });
        conn.write(
          requestHead(`POST ${path}/captures HTTP/1.1`, {
            Host: `127.0.0.1:${port}`,
            Authorization: auth,
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(captureBody)),
          }) + captureBody,
        );
        const captured = await conn.nextResponse();
        assert.ok(captured, `no answer to the capture; received: ${conn.pending()}`);
        assert.equal(captured.status, 201, captured.body);
        assert.notEqual(captured.headers.connection?.toLowerCase(), 'close', 'the capture closed the connection: nothing to reuse');

        const head = requestHead(`GET ${path} HTTP/1.1`, { Host: `127.0.0.1:${port}`, Authorization: auth, 'Content-Type': 'application/json' });
        const split = splits[i % splits.length]!;
        if (split === 'one record') conn.write(head + '{}');
        else {
          conn.write(head);
          if (split === 'two records a moment apart') await new Promise((resolve) => setImmediate(resolve));
          conn.write('{}');
        }
        const answer = await conn.nextResponse();
        assert.ok(answer, `${split}: no answer to the GET (connection ${conn.ended ? 'closed' : 'open'}); received: ${JSON.stringify(conn.pending())}`);
        assert.equal(answer.status, 200, answer.body);
        assert.equal((JSON.parse(answer.body) as { order_id: string }).order_id, orderId);
        // The GET had a content type and no length: its answer ends the connection (the stray bytes
        // could not be told from a next request). The next cycle opens a new one.
        conn.close();
        conn = undefined;
      });
    } finally {
      conn?.close();
    }
  });
});
