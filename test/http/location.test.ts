// Absolute Location (CONTRACT §2, issue 17 §3): every Location OpenOM sends is the absolute URL of
// the new resource, as Klarna sends it, built from the scheme OpenOM serves and the request's Host
// when that is a valid host[:port] (X-Forwarded-Proto/-Host only from a trusted proxy), otherwise
// from OPENOM_PUBLIC_URL. Klarna's official .NET SDK follows the header as it is (CreateAndFetchCapture):
// here every Location must parse as an absolute URI and, where it names this server, lead to the
// resource. Raw request bytes, so that a hostile Host reaches the server as written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHECKOUT_ORDERS, checkoutBody } from '../support/checkout.js';
import { createMerchant, createOrder, describeOnBothStores, getOrder, listenOnLocalPort, ordersUrl, startTestApp, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { basicAuth, exchange, requestHead, type RawResponse } from '../support/rawHttp.js';

const PUBLIC_URL = 'https://openom.example';

/** What Klarna's .NET SDK does with the header: new Uri(location) must be absolute, http or https. */
function asAbsoluteUri(location: string | undefined): URL {
  assert.ok(location, 'no Location');
  const url = new URL(location); // throws on a relative reference, as "An invalid request URI was provided"
  assert.ok(url.protocol === 'http:' || url.protocol === 'https:', location);
  assert.equal(url.href, location, 'the Location is already in its normal form');
  return url;
}

/** Raw POST: headers go on the wire exactly as given, Host included (or left out). */
function post(port: number, path: string, headers: Record<string, string>, body: unknown, startLine = `POST ${path} HTTP/1.1`): Promise<RawResponse> {
  const text = JSON.stringify(body);
  return exchange(port, requestHead(startLine, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' }) + text);
}

describeOnBothStores(
  'absolute Location',
  (ctx) => {
    let port = 0;
    let shop: MerchantCredentials;
    before(async () => {
      port = await listenOnLocalPort(ctx());
      shop = await createMerchant(ctx(), 'DotNet Shop AB');
    });

    const captureWith = async (headers: Record<string, string>, startLine?: string) => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const path = ordersUrl(orderId, '/captures');
      const res = await post(port, path, { Authorization: basicAuth(shop), ...headers }, { captured_amount: 1_000 }, startLine);
      assert.ok(res.status < 500, `${res.status} ${res.body}`);
      return { res, path: `${path}/${res.headers['capture-id']}` };
    };

    it('a capture answers with the absolute URL on the Host it was sent to, and following it as it is fetches the capture', async () => {
      const { res, path } = await captureWith({ Host: `127.0.0.1:${port}` });
      assert.equal(res.status, 201, res.body);
      const url = asAbsoluteUri(res.headers.location);
      assert.equal(url.href, `http://127.0.0.1:${port}${path}`);
      // As the .NET SDK's CreateAndFetchCapture does: GET the Location.
      const fetched = await fetch(url, { headers: { authorization: basicAuth(shop) } });
      assert.equal(fetched.status, 200);
      assert.equal(((await fetched.json()) as Json).capture_id, res.headers['capture-id']);
    });

    for (const [host, base] of [
      ['api.shop.example', 'http://api.shop.example'],
      ['api.shop.example:8443', 'http://api.shop.example:8443'],
      ['API.Shop.Example', 'http://api.shop.example'],
      ['localhost', 'http://localhost'],
      ['[::1]:8080', 'http://[::1]:8080'],
      ['10.0.0.7:80', 'http://10.0.0.7'],
    ]) {
      it(`Host: ${host} → Location ${base}/… (in URL's normal form)`, async () => {
        const { res, path } = await captureWith({ Host: host! });
        assert.equal(res.status, 201, res.body);
        assert.equal(asAbsoluteUri(res.headers.location).href, `${base}${path}`);
      });
    }

    const hostile: [string, Record<string, string>, string][] = [
      ['a path in Host', { Host: 'evil.com/x' }, 'HTTP/1.1'],
      ['user info in Host', { Host: 'user@evil.com' }, 'HTTP/1.1'],
      ['a space in Host', { Host: 'evil.com x' }, 'HTTP/1.1'],
      ['a backslash in Host', { Host: 'evil.com\\x' }, 'HTTP/1.1'],
      ['a port out of range', { Host: 'evil.com:99999' }, 'HTTP/1.1'],
      ['a Host of 300 characters', { Host: `${'a'.repeat(296)}.com` }, 'HTTP/1.1'],
      ['no Host at all', {}, 'HTTP/1.0'],
    ];
    for (const [what, headers, version] of hostile) {
      it(`${what} → Location on OPENOM_PUBLIC_URL, never a 5xx`, async () => {
        const orderId = (await createOrder(ctx(), shop)).order_id;
        const path = ordersUrl(orderId, '/captures');
        const res = await post(port, path, { Authorization: basicAuth(shop), ...headers }, { captured_amount: 1_000 }, `POST ${path} ${version}`);
        assert.equal(res.status, 201, res.body);
        assert.equal(asAbsoluteUri(res.headers.location).href, `${PUBLIC_URL}${path}/${res.headers['capture-id']}`);
      });
    }

    it('a Host with CR or LF in it is refused by the HTTP parser before any route: a 400, never a 5xx, nothing captured', async () => {
      for (const host of ['evil.com\rX-Injected: 1', 'evil.com\r\n\tx.com']) {
        const orderId = (await createOrder(ctx(), shop)).order_id;
        const res = await post(port, ordersUrl(orderId, '/captures'), { Host: host, Authorization: basicAuth(shop) }, { captured_amount: 1_000 });
        assert.equal(res.status, 400, res.body);
        assert.equal((await getOrder(ctx(), shop, orderId)).captured_amount, 0);
      }
    });

    it('behind a trusted proxy: X-Forwarded-Proto and -Host name the base; a hostile forwarded host falls back', async () => {
      const proxied = await captureWith({ Host: `127.0.0.1:${port}`, 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'api.shop.example' });
      assert.equal(proxied.res.status, 201, proxied.res.body);
      assert.equal(asAbsoluteUri(proxied.res.headers.location).href, `https://api.shop.example${proxied.path}`);
      const hostileForwards: Record<string, string>[] = [{ 'X-Forwarded-Host': 'evil.com/x' }, { 'X-Forwarded-Proto': 'javascript' }];
      for (const forwarded of hostileForwards) {
        const { res, path } = await captureWith({ Host: `127.0.0.1:${port}`, ...forwarded });
        assert.equal(res.status, 201, res.body);
        assert.equal(asAbsoluteUri(res.headers.location).href, `${PUBLIC_URL}${path}`);
      }
    });

    it('refunds and checkout orders get absolute Locations too', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const host = { Host: 'api.shop.example', Authorization: basicAuth(shop) };
      assert.equal((await post(port, ordersUrl(orderId, '/captures'), host, { captured_amount: 5_000 })).status, 201);
      const refunded = await post(port, ordersUrl(orderId, '/refunds'), host, { refunded_amount: 500 });
      assert.equal(refunded.status, 201, refunded.body);
      assert.equal(asAbsoluteUri(refunded.headers.location).href, `http://api.shop.example${ordersUrl(orderId, `/refunds/${refunded.headers['refund-id']}`)}`);
      const checkout = await post(port, CHECKOUT_ORDERS, host, checkoutBody());
      assert.equal(checkout.status, 201, checkout.body);
      assert.equal(asAbsoluteUri(checkout.headers.location).href, `http://api.shop.example${CHECKOUT_ORDERS}/${(JSON.parse(checkout.body) as Json).order_id}`);
    });

    it('an idempotent replay repeats the stored Location byte for byte: the host of the first request, whatever the replay sent', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const path = ordersUrl(orderId, '/captures');
      const key = { Authorization: basicAuth(shop), 'Klarna-Idempotency-Key': `location-${orderId}` };
      const first = await post(port, path, { ...key, Host: 'first.shop.example' }, { captured_amount: 1_000 });
      const replay = await post(port, path, { ...key, Host: 'second.shop.example' }, { captured_amount: 1_000 });
      assert.equal(first.status, 201, first.body);
      assert.equal(replay.status, 201, replay.body);
      assert.equal(replay.headers.location, first.headers.location);
      assert.equal(asAbsoluteUri(replay.headers.location).host, 'first.shop.example');
    });
  },
  { OPENOM_PUBLIC_URL: PUBLIC_URL, OPENOM_TRUST_PROXY_HOPS: '1' },
);

describe('absolute Location without a trusted proxy', () => {
  let t: TestApp;
  let port = 0;
  let shop: MerchantCredentials;
  before(async () => {
    t = await startTestApp('sqlite', { OPENOM_PUBLIC_URL: PUBLIC_URL });
    port = await listenOnLocalPort(t);
    shop = await createMerchant(t, 'Direct Shop AB');
  });
  after(async () => t.close());

  it('X-Forwarded-Proto and -Host from an untrusted client are ignored: the Host it sent names the base', async () => {
    const orderId = (await createOrder(t, shop)).order_id;
    const path = ordersUrl(orderId, '/captures');
    const headers = { Host: 'api.shop.example', Authorization: basicAuth(shop), 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' };
    const res = await post(port, path, headers, { captured_amount: 1_000 });
    assert.equal(res.status, 201, res.body);
    assert.equal(asAbsoluteUri(res.headers.location).href, `http://api.shop.example${path}/${res.headers['capture-id']}`);
  });
});
