// A read replica for real: a PostgreSQL primary and a streaming standby (bench/lib/standby.ts), two
// OpenOM instances on them with DATABASE_READ_URL set to the standby. Shows that GETs read the
// standby (its transaction count grows with them), and measures what the lag means for
// read-your-writes: a GET right after a capture, on the instance that made it (read from the primary
// within OPENOM_READ_REPLICA_FRESH_MS) and on the other instance (read from the standby), and how
// long the other instance takes to show the capture.
// Usage: node --import tsx bench/read-replica.ts [--orders=N]
import pg from 'pg';
import { basicAuth, benchCapture, benchMerchantId, captureOrder, createOrder, ORDERS, standardOrder } from './lib/api.js';
import { startOpenOM, type Server } from './lib/proc.js';
import { startPrimaryAndStandby } from './lib/standby.js';
import { CREDENTIALS, openomEnv } from './lib/workload.js';

const orders = Number(process.argv.find((a) => a.startsWith('--orders='))?.split('=')[1] ?? 100);

async function capturedAmount(server: Server, orderId: string): Promise<number> {
  const res = await fetch(`${server.url}${ORDERS}/${orderId}`, { headers: { authorization: basicAuth(CREDENTIALS) } });
  if (res.status !== 200) throw new Error(`GET ${orderId}: ${res.status}`);
  return ((await res.json()) as { captured_amount: number }).captured_amount;
}

async function standbyTransactions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`select xact_commit from pg_stat_database where datname = current_database()`)).rows[0].xact_commit);
  } finally {
    await client.end();
  }
}

const percentile = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : NaN);

const cluster = await startPrimaryAndStandby();
if (typeof cluster === 'string') {
  console.log(`read replica: skipped, ${cluster}`);
  process.exit(0);
}
const servers: Server[] = [];
try {
  const env = { ...openomEnv(cluster.primaryUrl), DATABASE_READ_URL: cluster.standbyUrl };
  servers.push(await startOpenOM(env));
  servers.push(await startOpenOM(env));
  const [writer, other] = servers as [Server, Server];
  const merchantId = await benchMerchantId(writer.url, CREDENTIALS);
  const ids: string[] = [];
  for (let i = 0; i < orders; i++) ids.push(await createOrder(writer.url, CREDENTIALS, merchantId, standardOrder()));
  // Let the standby replay the intake before the captures (a miss there is read from the primary anyway).
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const before = await standbyTransactions(cluster.standbyUrl);
  for (const id of ids) await capturedAmount(other, id);
  // An idle backend reports its statistics within 10 s (PostgreSQL 15+).
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const readsOnStandby = (await standbyTransactions(cluster.standbyUrl)) - before;

  let staleSame = 0;
  let staleOther = 0;
  const visibleAfterMs: number[] = [];
  for (const id of ids) {
    await captureOrder(writer.url, CREDENTIALS, id, benchCapture());
    const answered = performance.now();
    if ((await capturedAmount(writer, id)) === 0) staleSame++;
    if ((await capturedAmount(other, id)) === 0) {
      staleOther++;
      while ((await capturedAmount(other, id)) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    visibleAfterMs.push(performance.now() - answered);
  }
  console.log(`read replica (a streaming standby on this machine), ${orders} orders:`);
  console.log(`  ${orders} GETs on an instance → ${readsOnStandby} transactions on the standby`);
  console.log(`  GET right after a capture, same instance: ${staleSame} of ${orders} showed the order before the capture`);
  console.log(`  GET right after a capture, the other instance: ${staleOther} of ${orders} showed the order before it; the capture was visible there after p50 ${percentile(visibleAfterMs, 0.5).toFixed(1)} ms, p99 ${percentile(visibleAfterMs, 0.99).toFixed(1)} ms, max ${Math.max(...visibleAfterMs).toFixed(1)} ms from its answer`);
} finally {
  for (const server of servers) await server.stop();
  cluster.stop();
}
