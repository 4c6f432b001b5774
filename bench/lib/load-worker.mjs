// Load generator, run in its own process so it does not share an event loop with the orchestrator.
// Usage: node bench/lib/load-worker.mjs <spec.json>; prints one JSON result line on stdout.
//
// spec: { url, urls?, connections, duration? (s), amount? (requests), auth, kind, path?, captureBody, ids: { get, capture, refund } }
// urls: several servers (instances of one deployment): the connections (and the amount) are spread
// over them evenly, one autocannon instance each, and the result is their sum.
// kind: 'path'    GET spec.path on every request (hello world, one order of a given shape)
//       'post'    POST a capture body to spec.path on every request (the Prism mock anchor)
//       'get'     GET /ordermanagement/v1/orders/{id}, round robin over ids.get
//       'capture' POST …/captures, each request on the next unused order of ids.capture
//       'refund'  POST …/refunds of 1 minor unit, round robin over ids.refund (captured orders)
//       'mix'     per 10 requests: 7 get, 2 capture, 1 refund
// Latencies are recorded here with sub-millisecond precision (autocannon's own histogram is whole ms).
import { readFileSync } from 'node:fs';
import { setImmediate } from 'node:timers';
import autocannon from 'autocannon';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ORDERS = '/ordermanagement/v1/orders';
const ids = { get: spec.ids?.get ?? [], capture: spec.ids?.capture ?? [], refund: spec.ids?.refund ?? [] };
const getHeaders = { authorization: spec.auth };
const postHeaders = { authorization: spec.auth, 'content-type': 'application/json' };
const captureBody = spec.captureBody;
const refundBody = JSON.stringify({ refunded_amount: 1, description: 'bench refund' });

let nGet = 0;
let nCapture = 0;
let nRefund = 0;
let nMix = 0;
let exhausted = false;

function get(req) {
  const id = ids.get[nGet++ % ids.get.length];
  return { ...req, method: 'GET', path: `${ORDERS}/${id}`, headers: getHeaders, body: undefined };
}
function capture(req) {
  if (nCapture >= ids.capture.length && !exhausted) {
    // Out of fresh orders: stop rather than send captures that must be refused; the caller retries with more.
    exhausted = true;
    setImmediate(stopAll);
  }
  const id = ids.capture[Math.min(nCapture++, ids.capture.length - 1)];
  return { ...req, method: 'POST', path: `${ORDERS}/${id}/captures`, headers: postHeaders, body: captureBody };
}
function refund(req) {
  const id = ids.refund[nRefund++ % ids.refund.length];
  return { ...req, method: 'POST', path: `${ORDERS}/${id}/refunds`, headers: postHeaders, body: refundBody };
}
function mix(req) {
  const slot = nMix++ % 10;
  return slot < 7 ? get(req) : slot < 9 ? capture(req) : refund(req);
}

const setup = { get, capture, refund, mix }[spec.kind];
const requests =
  spec.kind === 'path'
    ? [{ method: 'GET', path: spec.path, headers: spec.auth ? getHeaders : {} }]
    : spec.kind === 'post'
      ? [{ method: 'POST', path: spec.path, headers: postHeaders, body: captureBody }]
      : [{ setupRequest: setup }];

const latencies = [];
const statusCounts = {};
const started = process.hrtime.bigint();
const urls = spec.urls ?? [spec.url];
/** n split into urls.length near-equal whole shares (the first ones get the remainder). */
const share = (n, i) => Math.floor(n / urls.length) + (i < n % urls.length ? 1 : 0);
const instances = urls
  .map((url, i) => ({ url, connections: share(spec.connections, i), amount: spec.amount ? share(spec.amount, i) : undefined }))
  .filter((s) => s.connections > 0)
  .map((s) =>
    autocannon({
      url: s.url,
      connections: s.connections,
      pipelining: 1,
      ...(s.amount ? { amount: s.amount } : { duration: spec.duration }),
      timeout: 10,
      requests,
    }),
  );
const stopAll = () => instances.forEach((i) => i.stop());
for (const instance of instances) {
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
  });
}
Promise.all(instances.map((i) => new Promise((resolve) => i.on('done', resolve)))).then((results) => {
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
  const total = sorted.length;
  const non2xx = Object.entries(statusCounts).filter(([code]) => !code.startsWith('2')).reduce((n, [, c]) => n + c, 0);
  const out = {
    requests: total,
    seconds: Number(elapsedS.toFixed(3)),
    rps: Number((total / elapsedS).toFixed(1)),
    latency_ms: {
      mean: total ? Number((sorted.reduce((a, b) => a + b, 0) / total).toFixed(3)) : null,
      p50: pct(50),
      p90: pct(90),
      p99: pct(99),
      max: total ? sorted[total - 1] : null,
    },
    status: statusCounts,
    non2xx,
    errors: results.reduce((n, r) => n + r.errors, 0),
    timeouts: results.reduce((n, r) => n + r.timeouts, 0),
    used: { get: nGet, capture: nCapture, refund: nRefund },
    exhausted,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
