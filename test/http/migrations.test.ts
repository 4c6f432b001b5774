// Migrations (issue 3 §3): applied once, a no-op when run again, safe when several instances
// start together against one database; the same schema on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { StoreConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrations.js';
import { freePort, spawnOpenOM, waitForStatus } from '../support/process.js';
import { call, createMerchant, createOrder, createTempPostgresDatabase, describeOnBothStores, getOrder, postgresOrSkip } from '../support/harness.js';

const TABLES = ['captures', 'checkout_orders', 'faults', 'idempotency_keys', 'job_attempts', 'jobs', 'merchants', 'order_events', 'orders', 'portal_sessions', 'refunds', 'schema_migrations', 'settings', 'shipping_info', 'webhooks'];

async function tableNames(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'postgres'
      ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(store.db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(store.db)).rows;
  return rows.map((r) => r.name).sort();
}

async function migrationRows(store: Store): Promise<{ name: string; applied_at: string }[]> {
  return (await sql<{ name: string; applied_at: string }>`select name, applied_at from schema_migrations order by name`.execute(store.db)).rows;
}

describeOnBothStores('migrations on a running store', (ctx) => {
  it('migrate() again on a migrated store applies nothing and keeps the data', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const order = await createOrder(t, m);
    const before = await migrationRows(t.store);
    assert.deepEqual(await migrate(t.store), []);
    assert.deepEqual(await migrate(t.store), []);
    assert.deepEqual(await migrationRows(t.store), before, 'schema_migrations changed');
    assert.deepEqual(await tableNames(t.store), TABLES);
    const again = await getOrder(t, m, order.order_id);
    assert.equal(again.order_id, order.order_id);
    const list = await call(t, { method: 'GET', url: '/admin/v1/merchants', auth: 'admin' });
    assert.ok(list.body.includes(m.merchant_id));
  });
});

/** A fresh, empty store of each kind, dropped after. */
async function freshStoreConfig(backend: 'sqlite' | 'postgres'): Promise<{ config: StoreConfig; drop: () => Promise<void> }> {
  if (backend === 'postgres') {
    const db = await createTempPostgresDatabase();
    return { config: { kind: 'postgres', url: db.url }, drop: db.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'openom-migrate-'));
  return { config: { kind: 'sqlite', path: join(dir, 'openom.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`migrations on a fresh store [${backend}]`, { concurrency: false }, async () => {
    if (backend === 'postgres' && !(await postgresOrSkip())) return;
    const drops: (() => Promise<void>)[] = [];
    after(async () => {
      for (const drop of drops) await drop();
    });

    it('the first migrate() applies every migration, the second is a no-op', async () => {
      const fresh = await freshStoreConfig(backend);
      drops.push(fresh.drop);
      const store = openStore(fresh.config);
      try {
        const first = await migrate(store);
        assert.ok(first.length > 0);
        assert.ok(first.includes('001_initial'));
        assert.deepEqual(await tableNames(store), TABLES);
        const rows = await migrationRows(store);
        assert.deepEqual(rows.map((r) => r.name), [...first].sort());
        assert.deepEqual(await migrate(store), []);
        assert.deepEqual(await migrationRows(store), rows);
      } finally {
        await store.close();
      }
    });

    it('a second instance (new connection) on the migrated store applies nothing', async () => {
      const fresh = await freshStoreConfig(backend);
      drops.push(fresh.drop);
      const a = openStore(fresh.config);
      await migrate(a);
      await a.close();
      const b = openStore(fresh.config);
      try {
        assert.deepEqual(await migrate(b), []);
      } finally {
        await b.close();
      }
    });

    // SQLite in one process cannot show this: better-sqlite3 waits for a lock synchronously, so two
    // stores in one event loop would block each other. Separate processes are tested below.
    it('several instances migrating one empty database at once all succeed, and it is migrated once', { skip: backend === 'sqlite' ? 'in-process SQLite: see the multi-process test' : false }, async () => {
      const fresh = await freshStoreConfig(backend);
      drops.push(fresh.drop);
      const stores = Array.from({ length: 6 }, () => openStore(fresh.config, { pgPoolSize: 2 }));
      try {
        const results = await Promise.allSettled(stores.map((s) => migrate(s)));
        const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        assert.deepEqual(failures, []);
        const applied = results.map((r) => (r as PromiseFulfilledResult<string[]>).value);
        assert.equal(applied.filter((a) => a.length > 0).length, 1, `applied by: ${JSON.stringify(applied)}`);
        const rows = await migrationRows(stores[0]!);
        assert.deepEqual(rows.map((r) => r.name), applied.find((a) => a.length > 0)!.sort());
        assert.deepEqual(await tableNames(stores[0]!), TABLES);
      } finally {
        for (const s of stores) await s.close();
      }
    });

    it('three OpenOM processes starting together on one empty store all become ready; one migration, one admin token, one sandbox merchant', async () => {
      const fresh = await freshStoreConfig(backend);
      drops.push(fresh.drop);
      const url = fresh.config.kind === 'postgres' ? fresh.config.url : `sqlite:${fresh.config.path}`;
      const ports = [await freePort(), await freePort(), await freePort()];
      const servers = ports.map((port) => spawnOpenOM({ PORT: String(port), DATABASE_URL: url, LOG_LEVEL: 'warn' }));
      try {
        await Promise.all(ports.map((port, i) => waitForStatus(`http://127.0.0.1:${port}/health/ready`, 200, 60_000, servers[i])));
        await new Promise((resolve) => setTimeout(resolve, 200));
        const printed = servers.filter((s) => /admin token:/.test(s.stdout()));
        assert.equal(printed.length, 1, `admin token printed by ${printed.length} processes`);
        const token = /admin token:\s+(\S+)/.exec(printed[0]!.stdout())![1]!;
        for (const port of ports) {
          const res = await fetch(`http://127.0.0.1:${port}/admin/v1/merchants`, { headers: { authorization: `Bearer ${token}` } });
          assert.equal(res.status, 200);
          assert.equal(((await res.json()) as { merchants: unknown[] }).merchants.length, 1, 'exactly one sandbox merchant');
        }
        const store = openStore(fresh.config);
        try {
          const rows = await migrationRows(store);
          assert.equal(new Set(rows.map((r) => r.name)).size, rows.length);
          assert.ok(rows.some((r) => r.name === '001_initial'));
        } finally {
          await store.close();
        }
      } finally {
        for (const s of servers) await s.stop();
      }
    });

    if (backend === 'postgres') {
      it('amount columns are bigint on PostgreSQL', async () => {
        const fresh = await freshStoreConfig(backend);
        drops.push(fresh.drop);
        const store = openStore(fresh.config);
        try {
          await migrate(store);
          const rows = (
            await sql<{ table_name: string; column_name: string; data_type: string }>`
              select table_name, column_name, data_type from information_schema.columns
              where table_schema = 'public' and column_name like '%\\_amount' escape '\\'`.execute(store.db)
          ).rows;
          assert.ok(rows.length >= 6, JSON.stringify(rows));
          for (const r of rows) assert.equal(r.data_type, 'bigint', `${r.table_name}.${r.column_name}`);
        } finally {
          await store.close();
        }
      });
    }
  });
}

describe('migrations: before any test app', () => {
  let store: Store | undefined;
  before(() => {
    store = openStore({ kind: 'sqlite', path: ':memory:' });
  });
  after(async () => {
    await store?.close();
  });
  it('an in-memory SQLite store starts empty and is fully migrated by one call', async () => {
    assert.deepEqual(await tableNames(store!), []);
    assert.ok((await migrate(store!)).length > 0);
    assert.deepEqual(await tableNames(store!), TABLES);
  });
});
