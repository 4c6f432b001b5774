// A body that trickles in must arrive within OPENOM_REQUEST_TIMEOUT_MS or get 408 with the Klarna
// error body and a closed connection; an unauthenticated request is answered 401 and its
// connection closed at once, whatever of its body is still on the way. Over real sockets.
import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { captureLogs } from '../support/capturedLogs.js';
import { createMerchant, createOrder, describeOnBothStores, getOrder, ordersUrl, type MerchantCredentials } from '../support/harness.js';
import { eventCount } from '../support/orderAssertions.js';
import { basicAuth, RawConnection, requestHead } from '../support/rawHttp.js';

const TIMEOUT_MS = 1_000;
const DRIP_MS = 400;
const logs = captureLogs();

describeOnBothStores(
  'slow request bodies',
  (ctx) => {
    let port = 0;
    let shop: MerchantCredentials;
    const open: RawConnection[] = [];
    const drips: NodeJS.Timeout[] = [];

    before(async () => {
      await ctx().app.listen({ host: '127.0.0.1', port: 0 });
      const address = ctx().app.server.address();
      port = typeof address === 'object' && address ? address.port : 0;
      shop = await createMerchant(ctx(), 'Slow Client AB');
    });

    after(() => assert.deepEqual(logs.errors(), [], 'a slow client is no server error'));

    // Each test's connections end with it, answered or not, so a server that never answers fails the test instead of hanging the suite.
    afterEach(() => {
      for (const d of drips.splice(0)) clearInterval(d);
      for (const c of open.splice(0)) c.close();
    });

    /** Opens a connection, writes head + first body bytes, then `more` every DRIP_MS for as long as it is open. */
    async function drip(head: string, first: string, more = ' '): Promise<RawConnection> {
      const conn = await RawConnection.open(port);
      open.push(conn);
      conn.write(head + first);
      drips.push(setInterval(() => !conn.ended && conn.write(more), DRIP_MS));
      return conn;
    }

    const headers = (extra: Record<string, string>) => ({ Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', ...extra });

    it('a capture whose body drips a byte every 400 ms → 408 with the Klarna body within the timeout, connection closed, nothing captured', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const before = await getOrder(ctx(), shop, orderId);
      const events = await eventCount(ctx(), orderId);
      const started = Date.now();
      const conn = await drip(requestHead(`POST ${ordersUrl(orderId, '/captures')} HTTP/1.1`, headers({ Authorization: basicAuth(shop), 'Content-Length': '500' })), '{"captured_amount": 100');
      const res = await conn.nextResponse(TIMEOUT_MS * 8);
      assert.ok(res, `no answer within ${TIMEOUT_MS * 8} ms; received: ${conn.pending()}`);
      assert.equal(res.status, 408, res.body);
      const body = JSON.parse(res.body) as { correlation_id: string; error_code: string; error_messages: string[] };
      assert.equal(body.error_code, 'BAD_VALUE');
      assert.equal(body.correlation_id, res.headers['klarna-correlation-id']);
      assert.equal(res.headers.connection, 'close');
      assert.ok(await conn.closedWithin(TIMEOUT_MS * 2), 'the connection stayed open');
      // Generous: the point is that it ends, at about the timeout rather than never.
      assert.ok(Date.now() - started < TIMEOUT_MS * 6, `took ${Date.now() - started} ms`);
      assert.deepEqual(await getOrder(ctx(), shop, orderId), before);
      assert.equal(await eventCount(ctx(), orderId), events);
    });

    it('the same with a chunked body that never ends → 408, connection closed', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const head = requestHead(`POST ${ordersUrl(orderId, '/captures')} HTTP/1.1`, headers({ Authorization: basicAuth(shop), 'Transfer-Encoding': 'chunked' }));
      const conn = await drip(head, '5\r\n{"cap\r\n', '1\r\n \r\n');
      const res = await conn.nextResponse(TIMEOUT_MS * 8);
      assert.ok(res, `no answer; received: ${conn.pending()}`);
      assert.equal(res.status, 408, res.body);
      assert.ok(await conn.closedWithin(TIMEOUT_MS * 2), 'the connection stayed open');
    });

    it('a GET whose announced body never finishes is answered, and its connection closed by the timeout', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const conn = await drip(requestHead(`GET ${ordersUrl(orderId)} HTTP/1.1`, headers({ Authorization: basicAuth(shop), 'Content-Length': '500' })), '{');
      const res = await conn.nextResponse(TIMEOUT_MS * 8);
      assert.ok(res, `no answer; received: ${conn.pending()}`);
      assert.equal(res.status, 200, res.body);
      assert.ok(await conn.closedWithin(TIMEOUT_MS * 8), 'the connection stayed open');
    });

    it('an unauthenticated request with a body still on its way → 401 at once, Connection: close, connection closed', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const conn = await drip(requestHead(`POST ${ordersUrl(orderId, '/captures')} HTTP/1.1`, headers({ 'Content-Length': '500' })), '{"captured_amount": 100');
      const res = await conn.nextResponse(TIMEOUT_MS * 4);
      assert.ok(res, `no answer; received: ${conn.pending()}`);
      assert.equal(res.status, 401, res.body);
      assert.equal(res.headers.connection, 'close');
      assert.equal(JSON.parse(res.body).error_code, 'UNAUTHORIZED');
      assert.ok(await conn.closedWithin(TIMEOUT_MS / 2), 'the connection stayed open after the 401');
    });

    it('a body that arrives slowly but within the timeout is served normally', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const body = '{"captured_amount": 100}';
      const conn = await RawConnection.open(port);
      open.push(conn);
      conn.write(requestHead(`POST ${ordersUrl(orderId, '/captures')} HTTP/1.1`, headers({ Authorization: basicAuth(shop), 'Content-Length': String(body.length) })));
      conn.write(body.slice(0, 10));
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 4));
      conn.write(body.slice(10));
      const res = await conn.nextResponse(TIMEOUT_MS * 4);
      assert.ok(res, `no answer; received: ${conn.pending()}`);
      assert.equal(res.status, 201, res.body);
    });
  },
  { OPENOM_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) },
  logs.logger,
);
