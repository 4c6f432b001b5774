// DATABASE_READ_URL (src/store/readReplica.ts): a merchant's GET of an order and the portal's order
// list read the replica; writes, and reads of an order this instance changed recently, go to the
// primary; an order the replica does not have yet is read from the primary. A second database
// stands in for the replica: a row that is only there shows which database a read went to.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { bootstrap } from '../../src/bootstrap.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { listOrders } from '../../src/store/orderList.js';
import { migrate } from '../../src/store/migrations.js';
import { ADMIN_TOKEN, capture, createMerchant, createOrder, createTempPostgresDatabase, getOrder, postgresOrSkip, type MerchantCredentials, type TestApp } from '../support/harness.js';

interface Instance {
  t: TestApp;
  store: Store;
}

describe('read replica (DATABASE_READ_URL)', async () => {
  if (!(await postgresOrSkip())) return;
  const drops: (() => Promise<void>)[] = [];
  const closers: (() => Promise<void>)[] = [];
  let primaryUrl = '';
  let replica: pg.Client;
  let primary: pg.Client;
  let shop: MerchantCredentials;
  let fresh: Instance;
  let lagging: Instance;

  /** An instance on the primary with the replica for lagging reads; freshForMs as configured. */
  async function instance(replicaUrl: string, freshForMs: string): Promise<Instance> {
    const env = { DATABASE_URL: primaryUrl, DATABASE_READ_URL: replicaUrl, OPENOM_READ_REPLICA_FRESH_MS: freshForMs, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent', OPENOM_WORKER_CONCURRENCY: '0' };
    const config = loadConfig(env);
    const store = openStore(config.store, { readReplicaUrl: config.readReplicaUrl, readReplicaFreshMs: config.readReplicaFreshMs });
    await migrate(store);
    const boot = await bootstrap(store, config);
    const app: FastifyInstance = await buildApp({ config, store, readiness: { migrated: true }, adminTokenDigest: () => boot.adminTokenDigest });
    await app.ready();
    closers.push(async () => {
      await app.close();
      await store.close();
    });
    return { t: { backend: 'postgres', app, store, config, storeConfig: config.store, close: async () => {} }, store };
  }

  /** Copies rows from the primary into the replica, as replication would have by now. */
  async function replicate(table: 'merchants' | 'orders', column: string, value: string): Promise<void> {
    const { rows } = await primary.query(`select row_to_json(t) as row from ${table} t where ${column} = $1`, [value]);
    for (const { row } of rows) await replica.query(`insert into ${table} select * from json_populate_record(null::${table}, $1)`, [row]);
  }

  before(async () => {
    const primaryDb = await createTempPostgresDatabase();
    const replicaDb = await createTempPostgresDatabase();
    drops.push(primaryDb.drop, replicaDb.drop);
    primaryUrl = primaryDb.url;
    // The replica has the primary's schema, as a standby would.
    const replicaStore = openStore({ kind: 'postgres', url: replicaDb.url });
    await migrate(replicaStore);
    await replicaStore.close();
    fresh = await instance(replicaDb.url, '60000');
    lagging = await instance(replicaDb.url, '0');
    primary = new pg.Client({ connectionString: primaryDb.url });
    replica = new pg.Client({ connectionString: replicaDb.url });
    await primary.connect();
    await replica.connect();
    shop = await createMerchant(fresh.t);
    await replicate('merchants', 'merchant_id', shop.merchant_id);
  });
  after(async () => {
    for (const close of closers) await close();
    await primary?.end();
    await replica?.end();
    for (const drop of drops) await drop();
  });

  it('config: DATABASE_READ_URL needs a PostgreSQL DATABASE_URL and a PostgreSQL URL', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'sqlite::memory:', DATABASE_READ_URL: 'postgres://replica/db' }), ConfigError);
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://primary/db', DATABASE_READ_URL: 'sqlite:/tmp/x' }), ConfigError);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://primary/db' }).readReplicaUrl, undefined);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://primary/db', DATABASE_READ_URL: 'postgres://replica/db' }).readReplicaUrl, 'postgres://replica/db');
    // A secret like DATABASE_URL, so it may come from a file too.
    const dir = mkdtempSync(join(tmpdir(), 'openom-replica-'));
    writeFileSync(join(dir, 'url'), 'postgres://replica/db\n');
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://primary/db', DATABASE_READ_URL_FILE: join(dir, 'url') }).readReplicaUrl, 'postgres://replica/db');
    rmSync(dir, { recursive: true });
  });

  it('GET reads the replica: what only the replica holds is what GET shows', async () => {
    const { order_id } = await createOrder(fresh.t, shop);
    await replicate('orders', 'order_id', order_id);
    await replica.query(`update orders set merchant_reference1 = 'only-in-replica' where order_id = $1`, [order_id]);
    assert.equal((await getOrder(fresh.t, shop, order_id)).merchant_reference1, 'only-in-replica');
  });

  it('an order the replica does not have yet (just created) is read from the primary', async () => {
    const { order_id } = await createOrder(fresh.t, shop);
    assert.equal((await replica.query('select 1 from orders where order_id = $1', [order_id])).rowCount, 0);
    assert.equal((await getOrder(fresh.t, shop, order_id)).order_id, order_id);
  });

  it('a capture is written to the primary; the next GET on the same instance reads it from the primary', async () => {
    const { order_id } = await createOrder(fresh.t, shop);
    await replicate('orders', 'order_id', order_id);
    assert.equal((await capture(fresh.t, shop, order_id, { captured_amount: 4_000 })).statusCode, 201);
    assert.equal((await primary.query('select 1 from captures where order_id = $1', [order_id])).rowCount, 1);
    assert.equal((await replica.query('select 1 from captures where order_id = $1', [order_id])).rowCount, 0);
    assert.equal((await getOrder(fresh.t, shop, order_id)).captured_amount, 4_000);
  });

  it('the lag, stated: without the fresh window (or via another instance) a GET right after a capture may show the order before it', async () => {
    const { order_id } = await createOrder(lagging.t, shop);
    await replicate('orders', 'order_id', order_id);
    assert.equal((await capture(lagging.t, shop, order_id, { captured_amount: 4_000 })).statusCode, 201);
    const seen = await getOrder(lagging.t, shop, order_id);
    assert.equal(seen.captured_amount, 0, 'the replica has not replayed the capture');
    assert.equal(seen.status, 'AUTHORIZED');
  });

  it('the portal list reads the replica', async () => {
    const { order_id } = await createOrder(fresh.t, shop);
    const listed = async () => (await listOrders(fresh.store, { merchantId: shop.merchant_id, now: new Date(), pageSize: 100 })).rows.map((r) => r.order_id);
    assert.ok(!(await listed()).includes(order_id), 'not replicated yet');
    await replicate('orders', 'order_id', order_id);
    assert.ok((await listed()).includes(order_id));
  });
});
