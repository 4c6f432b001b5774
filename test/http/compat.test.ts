// Client compatibility (CONTRACT §4) on a real listening server: bodies on body-less requests,
// chunked bodies, stray bytes after a GET on a keep-alive connection, no User-Agent, and the
// order object listing captures and refunds by id and reference.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { before, it } from 'node:test';
import { createMerchant, createOrder, describeOnBothStores, listenOnLocalPort, ordersUrl, type Json, type MerchantCredentials } from '../support/harness.js';
import { basicAuth, exchange as exchangeRaw, RawConnection, requestHead, type RawResponse } from '../support/rawHttp.js';

describeOnBothStores('client compatibility', (ctx) => {
  let port = 0;
  let shop: MerchantCredentials;

  before(async () => {
    port = await listenOnLocalPort(ctx());
    shop = await createMerchant(ctx(), 'Sloppy Client AB');
  });

  const newOrder = async () => (await createOrder(ctx(), shop)).order_id;

  const exchange = (raw: string): Promise<RawResponse> => exchangeRaw(port, raw);

  function post(path: string, extra: Record<string, string>, body: string): string {
    return requestHead(`POST ${path} HTTP/1.1`, { Host: `127.0.0.1:${port}`, Authorization: basicAuth(shop), ...extra }) + body;
  }

  async function getOrderOverHttp(orderId: string): Promise<Json> {
    const res = await fetch(`http://127.0.0.1:${port}${ordersUrl(orderId)}`, { headers: { authorization: basicAuth(shop) } });
    assert.equal(res.status, 200);
    return (await res.json()) as Json;
  }

  const bodyVariants: [string, Record<string, string>, string][] = [
    ['no body at all', {}, ''],
    ['Content-Length: 0 and no type', { 'Content-Length': '0' }, ''],
    ['an empty JSON body', { 'Content-Type': 'application/json', 'Content-Length': '0' }, ''],
    ['{} with application/json', { 'Content-Type': 'application/json', 'Content-Length': '2' }, '{}'],
    ['{} without a content type', { 'Content-Length': '2' }, '{}'],
    ['{} as form data', { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '2' }, '{}'],
    ['not JSON at all', { 'Content-Type': 'application/json', 'Content-Length': '5' }, 'hello'],
    ['a chunked {}', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, '2\r\n{}\r\n0\r\n\r\n'],
  ];

  for (const [what, headers, body] of bodyVariants) {
    it(`POST cancel with ${what} → 204 and the order is cancelled`, async () => {
      const orderId = await newOrder();
      const res = await exchange(post(ordersUrl(orderId, '/cancel'), headers, body));
      assert.equal(res.status, 204, res.body);
      assert.ok(res.headers['klarna-correlation-id']);
      assert.equal((await getOrderOverHttp(orderId)).status, 'CANCELLED');
    });

    it(`POST acknowledge with ${what} → 204`, async () => {
      const orderId = await newOrder();
      const res = await exchange(post(ordersUrl(orderId, '/acknowledge'), headers, body));
      assert.equal(res.status, 204, res.body);
      assert.equal((await getOrderOverHttp(orderId)).status, 'AUTHORIZED');
    });
  }

  it('a capture whose body arrives chunked, without Content-Length → 201 with Capture-Id and Location', async () => {
    const orderId = await newOrder();
    const payload = JSON.stringify({ captured_amount: 2500, reference: 'chunked-cap', description: 'Sent in pieces' });
    const res = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: ordersUrl(orderId, '/captures'), headers: { authorization: basicAuth(shop), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (r) => {
          let body = '';
          r.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
        },
      );
      req.on('error', reject);
      assert.equal(req.getHeader('content-length'), undefined);
      // Three chunks, the JSON split mid-token, with pauses between them.
      const parts = [payload.slice(0, 7), payload.slice(7, 30), payload.slice(30)];
      let i = 0;
      const next = () => {
        if (i < parts.length) {
          req.write(parts[i++]);
          setTimeout(next, 15);
        } else req.end();
      };
      next();
    });
    assert.equal(res.status, 201, res.body);
    const captureId = String(res.headers['capture-id']);
    assert.equal(res.headers.location, `http://127.0.0.1:${port}/ordermanagement/v1/orders/${orderId}/captures/${captureId}`);
    const order = await getOrderOverHttp(orderId);
    assert.equal(order.captured_amount, 2500);
  });

  it('a chunked capture written on a raw socket (chunk extensions and all) → 201', async () => {
    const orderId = await newOrder();
    const body = JSON.stringify({ captured_amount: 1000 });
    const chunked = `${(5).toString(16)};ext=1\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`;
    const res = await exchange(post(ordersUrl(orderId, '/captures'), { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, chunked));
    assert.equal(res.status, 201, res.body);
    assert.ok(res.headers['capture-id']);
  });

  /**
   * The GET is answered 200 with the right order; the stray bytes never produce a 400, and the
   * connection is either closed after the answer or still serves the next request correctly.
   */
  async function strayBytesAfterGet(strayDelayMs: number | 'same-write', stray = '{}', contentType: string | null = 'application/json') {
    const orderId = await newOrder();
    const conn = await RawConnection.open(port);
    try {
      const head = requestHead(`GET ${ordersUrl(orderId)} HTTP/1.1`, {
        Host: `127.0.0.1:${port}`,
        Authorization: basicAuth(shop),
        ...(contentType ? { 'Content-Type': contentType } : {}),
        Connection: 'keep-alive',
      });
      if (strayDelayMs === 'same-write') conn.write(head + stray);
      else {
        conn.write(head);
        await new Promise((resolve) => setTimeout(resolve, strayDelayMs));
        conn.write(stray);
      }
      const first = await conn.nextResponse();
      assert.ok(first, `no response to the GET; received: ${conn.pending()}`);
      assert.equal(first.status, 200, first.body);
      assert.equal((JSON.parse(first.body) as Json).order_id, orderId);

      if (first.headers.connection?.toLowerCase() === 'close') {
        assert.ok(await conn.closedWithin(2000), 'Connection: close promised but the socket stayed open');
        const extra = await conn.nextResponse(100);
        assert.equal(extra, undefined, `a second response was written for the stray bytes: ${JSON.stringify(extra)}`);
        return;
      }
      // Kept alive: give a late 400 for the stray bytes time to show up, then reuse the connection.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(conn.pending(), '', `the server wrote something for the stray bytes: ${conn.pending()}`);
      if (conn.ended) return; // closed quietly without a bogus answer: the client reconnects
      conn.write(requestHead(`GET ${ordersUrl(orderId)} HTTP/1.1`, { Host: `127.0.0.1:${port}`, Authorization: basicAuth(shop) }));
      const second = await conn.nextResponse();
      if (second === undefined) {
        assert.ok(conn.ended, 'the next request got no answer on an open connection');
        return;
      }
      assert.equal(second.status, 200, `the next request on the connection got ${second.status}: ${second.body}`);
      assert.equal((JSON.parse(second.body) as Json).order_id, orderId);
    } finally {
      conn.close();
    }
  }

  it('a GET followed by {} in the same write, no Content-Length/Transfer-Encoding → 200, connection not spoiled', async () => {
    await strayBytesAfterGet('same-write');
  });

  it('a GET whose stray {} arrives a moment later (before the answer) → 200, connection not spoiled', async () => {
    await strayBytesAfterGet(1);
  });

  it('a GET whose stray {} arrives after the answer was sent → no 400 answer, connection not spoiled', async () => {
    await strayBytesAfterGet(150);
  });

  it('a GET without a content type whose stray {} arrives after the answer → no 400 answer, connection not spoiled', async () => {
    await strayBytesAfterGet(150, '{}', null);
  });

  it('a GET without a content type followed by {} in the same write → 200, connection not spoiled', async () => {
    await strayBytesAfterGet('same-write', '{}', null);
  });

  it('a plain GET keeps the connection alive for the next request', async () => {
    const orderId = await newOrder();
    const conn = await RawConnection.open(port);
    try {
      for (let i = 0; i < 3; i++) {
        conn.write(requestHead(`GET ${ordersUrl(orderId)} HTTP/1.1`, { Host: `127.0.0.1:${port}`, Authorization: basicAuth(shop) }));
        const res = await conn.nextResponse();
        assert.ok(res, conn.pending());
        assert.equal(res.status, 200);
        assert.notEqual(res.headers.connection?.toLowerCase(), 'close');
      }
    } finally {
      conn.close();
    }
  });

  it('a fresh connection that starts with garbage still gets a 400 error body', async () => {
    const conn = await RawConnection.open(port);
    try {
      conn.write('{}\r\n\r\n');
      const res = await conn.nextResponse();
      assert.ok(res, conn.pending());
      assert.equal(res.status, 400);
      const body = JSON.parse(res.body) as { error_code: string; correlation_id: string };
      assert.equal(body.error_code, 'BAD_VALUE');
      assert.equal(body.correlation_id, res.headers['klarna-correlation-id']);
    } finally {
      conn.close();
    }
  });

  it('a GET followed by a larger stray JSON body → 200, connection not spoiled', async () => {
    await strayBytesAfterGet('same-write', JSON.stringify({ captured_amount: 100, order_lines: [] }));
  });

  it('a body-less POST (cancel) followed by stray {} without Content-Length → 204, the order cancelled once', async () => {
    const orderId = await newOrder();
    const conn = await RawConnection.open(port);
    try {
      conn.write(requestHead(`POST ${ordersUrl(orderId, '/cancel')} HTTP/1.1`, { Host: `127.0.0.1:${port}`, Authorization: basicAuth(shop), 'Content-Type': 'application/json' }) + '{}');
      const first = await conn.nextResponse();
      assert.ok(first, conn.pending());
      assert.equal(first.status, 204);
      const late = await conn.nextResponse(200);
      assert.ok(late === undefined || late.status !== 400, `stray bytes answered: ${JSON.stringify(late)}`);
    } finally {
      conn.close();
    }
    assert.equal((await getOrderOverHttp(orderId)).status, 'CANCELLED');
  });

  it('a GET that carries {} with a proper Content-Length → 200, and the connection serves the next request', async () => {
    const orderId = await newOrder();
    const conn = await RawConnection.open(port);
    try {
      const get = requestHead(`GET ${ordersUrl(orderId)} HTTP/1.1`, { Host: `127.0.0.1:${port}`, Authorization: basicAuth(shop), 'Content-Type': 'application/json', 'Content-Length': '2' }) + '{}';
      conn.write(get + get);
      for (let i = 0; i < 2; i++) {
        const res = await conn.nextResponse();
        assert.ok(res, conn.pending());
        assert.equal(res.status, 200, res.body);
      }
    } finally {
      conn.close();
    }
  });

  it('no User-Agent and no idempotency key: requests work as usual', async () => {
    const orderId = await newOrder();
    const get = await exchange(requestHead(`GET ${ordersUrl(orderId)} HTTP/1.1`, { Host: `127.0.0.1:${port}`, Authorization: basicAuth(shop), Connection: 'close' }));
    assert.equal(get.status, 200, get.body);
    const body = JSON.stringify({ captured_amount: 500 });
    const cap = await exchange(post(ordersUrl(orderId, '/captures'), { 'Content-Type': 'application/json', 'Content-Length': String(body.length), Connection: 'close' }, body));
    assert.equal(cap.status, 201, cap.body);
  });

  it('HTTP/1.0 without Host or User-Agent is answered', async () => {
    const orderId = await newOrder();
    const res = await exchange(requestHead(`GET ${ordersUrl(orderId)} HTTP/1.0`, { Authorization: basicAuth(shop) }));
    assert.equal(res.status, 200, res.body);
  });

  it('the order object lists captures[].capture_id and refunds[].refund_id with their reference', async () => {
    const orderId = await newOrder();
    const auth = { authorization: basicAuth(shop), 'content-type': 'application/json' };
    const cap = await fetch(`http://127.0.0.1:${port}${ordersUrl(orderId, '/captures')}`, { method: 'POST', headers: auth, body: JSON.stringify({ captured_amount: 6000, reference: 'CAP-REF-1' }) });
    assert.equal(cap.status, 201, await cap.text());
    const captureId = cap.headers.get('capture-id');
    assert.ok(captureId);
    const ref = await fetch(`http://127.0.0.1:${port}${ordersUrl(orderId, '/refunds')}`, { method: 'POST', headers: auth, body: JSON.stringify({ refunded_amount: 1500, reference: 'REF-REF-1' }) });
    assert.equal(ref.status, 201, await ref.text());
    const refundId = ref.headers.get('refund-id');
    assert.ok(refundId);
    assert.equal(ref.headers.get('location'), `http://127.0.0.1:${port}/ordermanagement/v1/orders/${orderId}/refunds/${refundId}`);

    const order = await getOrderOverHttp(orderId);
    const captures = order.captures as Json[];
    const refunds = order.refunds as Json[];
    assert.equal(captures.length, 1);
    assert.equal(captures[0]!.capture_id, captureId);
    assert.equal(captures[0]!.reference, 'CAP-REF-1');
    assert.equal(captures[0]!.captured_amount, 6000);
    assert.equal(refunds.length, 1);
    assert.equal(refunds[0]!.refund_id, refundId);
    assert.equal(refunds[0]!.reference, 'REF-REF-1');
    assert.equal(refunds[0]!.refunded_amount, 1500);
    assert.equal(refunds[0]!.credit_invoice, false);
    assert.equal(order.captured_amount, 6000);
    assert.equal(order.refunded_amount, 1500);
  });
});
