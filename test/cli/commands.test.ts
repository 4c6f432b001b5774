// `openom` against a running server (issue 12.3, CONTRACT §9): every API command over real HTTP on a
// real process and store, the example orders of examples/, the output (JSON on stdout; a failure is
// one line on stderr and exit 1 or 2), the configuration from the environment, and HTTPS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, freePort } from '../support/process.js';
import { ADMIN_TOKEN, instanceEnv, startInstance, type Instance } from '../reliability/cluster.js';
import { buildCli, failureLine, type Cli } from './run.js';

interface Order {
  order_id: string;
  status: string;
  fraud_status: string;
  order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  remaining_authorized_amount: number;
  order_lines: unknown[];
  captures: { capture_id: string; captured_amount: number; description?: string; reference?: string }[];
  refunds: { refund_id: string; refunded_amount: number; description?: string }[];
}

const EXAMPLES = join(REPO_ROOT, 'examples');
const readExample = (file: string) => JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { order_amount: number; order_lines: unknown[]; fraud_status?: string };
const CORRELATION_ID = /\(correlation id [0-9a-f-]{36}\)$/;

describe('openom commands against a running server', { concurrency: false }, () => {
  let dir: string;
  let cli: Cli;
  let server: Instance;
  let admin: Record<string, string>;
  let merchant: Record<string, string>;
  const orders = new Map<string, Order>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openom-cli-'));
    [cli, server] = await Promise.all([buildCli(), startInstance(instanceEnv(`sqlite:${join(dir, 'openom.sqlite')}`))]);
    admin = { OPENOM_URL: server.base, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN };
  });
  after(async () => {
    await server?.server.stop();
    cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const orderOf = async (file: string) => cli.json<Order>(['orders', 'get', orders.get(file)!.order_id], merchant);

  it('merchants create prints the new merchant with its password; merchants list shows it without', async () => {
    const created = await cli.json<{ merchant_id: string; name: string; username: string; password: string }>(['merchants', 'create', '--name', 'CLI Shop AB'], admin);
    assert.equal(created.name, 'CLI Shop AB');
    assert.match(created.merchant_id, /^[0-9a-f-]{36}$/);
    assert.ok(created.username && created.password);
    merchant = { OPENOM_URL: server.base, OPENOM_USERNAME: created.username, OPENOM_PASSWORD: created.password, MERCHANT_ID: created.merchant_id };
    const { merchants } = await cli.json<{ merchants: Record<string, unknown>[] }>(['merchants', 'list'], admin);
    const listed = merchants.find((m) => m.merchant_id === created.merchant_id);
    assert.deepEqual(listed, { merchant_id: created.merchant_id, name: 'CLI Shop AB', username: created.username, created_at: listed?.created_at });
  });

  it('merchants rotate-credentials prints a new password that works; the old one is refused at once', async () => {
    const created = await cli.json<{ merchant_id: string; username: string; password: string }>(['merchants', 'create', '--name', 'Rotating AB'], admin);
    const before = { OPENOM_URL: server.base, OPENOM_USERNAME: created.username, OPENOM_PASSWORD: created.password };
    assert.equal((await cli.run(['clock'], before)).code, 0);
    const rotated = await cli.json<Record<string, string>>(['merchants', 'rotate-credentials', '--merchant', created.merchant_id], admin);
    assert.deepEqual(Object.keys(rotated).sort(), ['merchant_id', 'password', 'username']);
    assert.equal(rotated.merchant_id, created.merchant_id);
    assert.equal(rotated.username, created.username);
    assert.notEqual(rotated.password, created.password);
    const old = await cli.run(['clock'], before);
    assert.equal(old.code, 1);
    assert.match(failureLine(old), /^openom: 401 UNAUTHORIZED: /);
    assert.equal((await cli.run(['clock'], { ...before, OPENOM_PASSWORD: rotated.password! })).code, 0);
    const unknown = await cli.run(['merchants', 'rotate-credentials', '--merchant', '00000000-0000-4000-8000-000000000000'], admin);
    assert.equal(unknown.code, 1);
    assert.match(failureLine(unknown), /^openom: 404 NOT_FOUND: /);
  });

  it('orders create takes every example order in examples/ (one through --file -), as orders get then shows it', async () => {
    // The order examples: examples/ also holds a checkout order and a fixtures file.
    const files = readdirSync(EXAMPLES).filter((f) => f.startsWith('order-') && f.endsWith('.json')).sort();
    assert.deepEqual(files, ['order-de-pending.json', 'order-se.json', 'order-us.json']);
    for (const file of files) {
      const body = readExample(file);
      const args = ['orders', 'create', '--merchant', merchant.MERCHANT_ID!, '--file'];
      const order =
        file === 'order-us.json'
          ? await cli.json<Order>([...args, '-'], admin, readFileSync(join(EXAMPLES, file), 'utf8'))
          : await cli.json<Order>([...args, join('examples', file)], admin);
      assert.equal(order.status, 'AUTHORIZED', file);
      assert.equal(order.order_amount, body.order_amount, file);
      assert.equal(order.remaining_authorized_amount, body.order_amount, file);
      assert.equal(order.captured_amount, 0, file);
      assert.equal(order.order_lines.length, body.order_lines.length, file);
      assert.equal(order.fraud_status, body.fraud_status ?? 'ACCEPTED', file);
      orders.set(file, order);
      assert.deepEqual(await orderOf(file), order, `${file}: orders get differs from what orders create printed`);
    }
  });

  it('capture and refund print the ids and the absolute Location from the headers; the same idempotency key replays the capture; orders get shows the amounts', async () => {
    const { order_id, order_amount } = orders.get('order-se.json')!;
    const captureArgs = ['capture', order_id, '--amount', '6000', '--description', 'Tomatoes shipped', '--reference', 'C-1', '--idempotency-key', `cli-${order_id}`];
    const captured = await cli.json<{ capture_id: string; location: string }>(captureArgs, merchant);
    assert.deepEqual(Object.keys(captured), ['capture_id', 'location']);
    assert.equal(captured.location, `${server.base}/ordermanagement/v1/orders/${order_id}/captures/${captured.capture_id}`);
    assert.deepEqual(await cli.json(captureArgs, merchant), captured, 'a retry with the same key must replay the first capture');

    const refunded = await cli.json<{ refund_id: string; location: string }>(['refund', order_id, '--amount', '1200', '--description', '2 kg returned'], merchant);
    assert.deepEqual(Object.keys(refunded), ['refund_id', 'location']);
    assert.equal(refunded.location, `${server.base}/ordermanagement/v1/orders/${order_id}/refunds/${refunded.refund_id}`);

    const order = await orderOf('order-se.json');
    assert.equal(order.captured_amount, 6000);
    assert.equal(order.refunded_amount, 1200);
    assert.equal(order.remaining_authorized_amount, order_amount - 6000);
    assert.deepEqual(
      order.captures.map((c) => [c.capture_id, c.captured_amount, c.description, c.reference]),
      [[captured.capture_id, 6000, 'Tomatoes shipped', 'C-1']],
    );
    assert.deepEqual(order.refunds.map((r) => [r.refund_id, r.refunded_amount, r.description]), [[refunded.refund_id, 1200, '2 kg returned']]);
  });

  it('release and cancel print {} (the server answers 204) and change the order', async () => {
    assert.deepEqual(await cli.json(['release', orders.get('order-se.json')!.order_id], merchant), {});
    const released = await orderOf('order-se.json');
    assert.equal(released.status, 'CAPTURED');
    assert.equal(released.remaining_authorized_amount, 0);

    assert.deepEqual(await cli.json(['cancel', orders.get('order-us.json')!.order_id, '--idempotency-key', 'cli-cancel-1'], merchant), {});
    assert.equal((await orderOf('order-us.json')).status, 'CANCELLED');
  });

  it('a refusal exits 1 with one line on stderr: status, error code, message and correlation id; nothing changes', async () => {
    const refused = await cli.run(['capture', orders.get('order-us.json')!.order_id, '--amount', '100'], merchant);
    assert.equal(refused.code, 1);
    const line = failureLine(refused);
    assert.match(line, /^openom: 403 CAPTURE_NOT_ALLOWED: \S.* /);
    assert.match(line, CORRELATION_ID);
    assert.equal((await orderOf('order-us.json')).captured_amount, 0);

    const cases: [string[], Record<string, string>, RegExp][] = [
      [['orders', 'get', '00000000-0000-4000-8000-000000000000'], merchant, /^openom: 404 NO_SUCH_ORDER: /],
      [['refund', orders.get('order-de-pending.json')!.order_id, '--amount', '1'], merchant, /^openom: 403 REFUND_NOT_ALLOWED: /],
      [['capture', orders.get('order-de-pending.json')!.order_id, '--amount', '0'], merchant, /^openom: 400 BAD_VALUE: Bad value: captured_amount/],
      [['orders', 'get', orders.get('order-de-pending.json')!.order_id], { ...merchant, OPENOM_PASSWORD: 'wrong-password' }, /^openom: 401 UNAUTHORIZED: /],
      [['merchants', 'list'], { ...admin, OPENOM_ADMIN_TOKEN: 'not-the-admin-token-at-all' }, /^openom: 401 UNAUTHORIZED: /],
    ];
    for (const [args, env, expected] of cases) {
      const r = await cli.run(args, env);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      const failure = failureLine(r);
      assert.match(failure, expected);
      assert.match(failure, CORRELATION_ID);
    }

    const unbalanced = { ...readExample('order-se.json'), order_amount: 1 };
    const bad = await cli.run(['orders', 'create', '--merchant', merchant.MERCHANT_ID!, '--file', '-'], admin, JSON.stringify(unbalanced));
    assert.equal(bad.code, 1);
    assert.match(failureLine(bad), /^openom: 400 BAD_VALUE: Bad value: order_amount /);
  });

  it('missing configuration and wrong usage exit 2 before anything is sent, naming what is missing', async () => {
    // The server address is unreachable: had a request been sent, the exit would be 1.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const orderId = orders.get('order-de-pending.json')!.order_id;
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['merchants', 'list'], { OPENOM_URL: nowhere }, /^openom: OPENOM_ADMIN_TOKEN is not set/],
      [['orders', 'create', '--merchant', 'm', '--file', 'examples/order-se.json'], { OPENOM_URL: nowhere }, /^openom: OPENOM_ADMIN_TOKEN is not set/],
      [['orders', 'get', orderId], { OPENOM_URL: nowhere }, /^openom: OPENOM_USERNAME and OPENOM_PASSWORD are not set/],
      [['capture', orderId, '--amount', '1'], { OPENOM_URL: nowhere, OPENOM_USERNAME: 'someone' }, /^openom: OPENOM_PASSWORD is not set/],
      [['clock'], { OPENOM_URL: nowhere, OPENOM_PASSWORD: 'secret' }, /^openom: OPENOM_USERNAME is not set/],
      [['merchants', 'list'], { ...admin, OPENOM_URL: 'ftp://127.0.0.1' }, /^openom: OPENOM_URL must start with http:\/\/ or https:\/\//],
      [['merchants', 'list', '--url', 'not a url'], admin, /^openom: --url is not a URL/],
      [['capture', orderId], merchant, /^openom: capture: missing --amount N \(see `openom capture --help`\)$/],
      [['capture', orderId, '--amount', '12.50'], merchant, /^openom: capture: --amount must be a whole number, got "12.50"/],
      [['refund', '--amount', '1'], merchant, /^openom: refund: missing ORDER_ID/],
      [['cancel', orderId, 'extra'], merchant, /^openom: cancel: unexpected argument "extra"/],
      [['release', orderId, '--force'], merchant, /^openom: release: Unknown option '--force'/],
      [['clock', 'advance'], merchant, /^openom: clock advance: missing --seconds N/],
      [['merchants', 'create'], admin, /^openom: merchants create: missing --name NAME/],
      [['orders', 'create', '--merchant', 'm', '--file', 'no-such-order.json'], admin, /^openom: cannot read no-such-order\.json: ENOENT/],
      [['orders'], admin, /^openom: "orders" needs one of: orders create, orders get/],
      [['refnud', orderId], merchant, /^openom: unknown command "refnud"/],
    ];
    for (const [args, env, expected] of cases) {
      const r = await cli.run(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(failureLine(r), expected);
    }
    const notJson = await cli.run(['orders', 'create', '--merchant', 'm', '--file', '-'], admin, '{"purchase_country": ');
    assert.equal(notJson.code, 2);
    assert.match(failureLine(notJson), /^openom: standard input is not valid JSON: /);
    assert.equal((await orderOf('order-de-pending.json')).captured_amount, 0);

    const unreachable = await cli.run(['orders', 'get', orderId], { ...merchant, OPENOM_URL: nowhere });
    assert.equal(unreachable.code, 1);
    assert.equal(failureLine(unreachable), `openom: cannot reach ${nowhere}: ECONNREFUSED`);
  });

  it('clock shows the merchant clock and clock advance moves it forward', async () => {
    const before = await cli.json<{ now: string; offset_seconds: number }>(['clock'], merchant);
    const advanced = await cli.json<{ now: string; offset_seconds: number }>(['clock', 'advance', '--seconds', '86400'], merchant);
    assert.equal(advanced.offset_seconds, before.offset_seconds + 86_400);
    assert.ok(Date.parse(advanced.now) - Date.parse(before.now) >= 86_400_000, `${before.now} → ${advanced.now}`);
    assert.equal((await cli.json<{ offset_seconds: number }>(['clock'], merchant)).offset_seconds, advanced.offset_seconds);
    const zero = await cli.run(['clock', 'advance', '--seconds', '0'], merchant);
    assert.equal(zero.code, 1);
    assert.match(failureLine(zero), /^openom: 400 BAD_VALUE: /);
  });

  it('talks HTTPS to a server whose certificate NODE_EXTRA_CA_CERTS names, and names the variable when the certificate is not trusted', async (t) => {
    let certificate: { key: string; cert: string; certFile: string };
    try {
      certificate = selfSignedCertificate(dir);
    } catch (err) {
      t.skip(`openssl cannot make a test certificate: ${(err as Error).message}`);
      return;
    }
    // TLS in front of the real server: the CLI's side of HTTPS is what is under test here.
    const proxy = createTlsServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
      const upstream = connect(server.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const port = (proxy.address() as { port: number }).port;
    try {
      const viaTls = { ...admin, OPENOM_URL: `https://localhost:${port}` };
      const { merchants } = await cli.json<{ merchants: { merchant_id: string }[] }>(['merchants', 'list'], { ...viaTls, NODE_EXTRA_CA_CERTS: certificate.certFile });
      assert.ok(merchants.some((m) => m.merchant_id === merchant.MERCHANT_ID));
      const untrusted = await cli.run(['merchants', 'list'], viaTls);
      assert.equal(untrusted.code, 1);
      assert.match(failureLine(untrusted), /^openom: cannot reach https:\/\/localhost:\d+: \S*(CERT|SELF_SIGNED)\S* .*NODE_EXTRA_CA_CERTS/);
    } finally {
      proxy.close();
    }
  });
});

function selfSignedCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, 'tls-key.pem');
  const certFile = join(dir, 'tls-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
