// Scratch stores for a bench run (a fresh PostgreSQL database or a temp SQLite file, removed after)
// and bulk seeding: orders are cloned in SQL from a template order made through the admin API, so
// every cloned row is exactly what intake writes, only with a new order_id and a pool tag.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';

export type StoreKind = 'postgres' | 'sqlite';

export interface BenchStore {
  kind: StoreKind;
  /** DATABASE_URL for OpenOM. */
  url: string;
  /**
   * Inserts n copies of the template order, with new ids, tagged in merchant_reference1. The ids are
   * random UUIDs, or with `numbered` (PostgreSQL only) base + first, base + first + 1, … as text.
   */
  cloneOrders(templateId: string, n: number, tag: string, numbered?: { base: bigint; first: number }): Promise<void>;
  idsTagged(tag: string): Promise<string[]>;
  countOrders(): Promise<number>;
  drop(): Promise<void>;
}

export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgUrlFor(database: string): string {
  const url = new URL(PG_BASE);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function pgReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('select version()');
    return rows[0]?.version;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pgAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_BASE });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const createdPgDatabases = new Set<string>();

export async function createPgDatabase(name: string): Promise<string> {
  await pgAdmin(async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  });
  createdPgDatabases.add(name);
  return pgUrlFor(name);
}

export async function dropPgDatabase(name: string): Promise<void> {
  await pgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
  createdPgDatabases.delete(name);
}

/** Drops every scratch database this process created and has not dropped yet (for error paths). */
export async function dropAllPgDatabases(): Promise<void> {
  for (const name of [...createdPgDatabases]) await dropPgDatabase(name).catch(() => undefined);
}

export async function pgSettings(): Promise<Record<string, string>> {
  return pgAdmin(async (c) => {
    const names = ['synchronous_commit', 'fsync', 'wal_sync_method', 'shared_buffers', 'max_connections'];
    const { rows } = await c.query<{ name: string; setting: string; unit: string | null }>(
      'select name, setting, unit from pg_settings where name = any($1)',
      [names],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
  });
}

async function columnsOfOrders(query: (sql: string) => Promise<string[]>): Promise<string[]> {
  const cols = await query('orders');
  if (!cols.includes('order_id') || !cols.includes('merchant_reference1')) throw new Error(`unexpected orders columns: ${cols.join(', ')}`);
  return cols;
}

export async function openPgStore(name: string): Promise<BenchStore> {
  const url = await createPgDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    kind: 'postgres',
    url,
    async cloneOrders(templateId, n, tag, numbered) {
      const cols = await columnsOfOrders(async (table) =>
        (await pool.query<{ column_name: string }>('select column_name from information_schema.columns where table_name = $1 order by ordinal_position', [table])).rows.map((r) => r.column_name),
      );
      const id = numbered ? '($4::bigint + g.i - 1)::text' : 'gen_random_uuid()::text';
      const exprs = cols.map((c) => (c === 'order_id' ? id : c === 'merchant_reference1' ? '$3::text' : `t.${c}`));
      for (let done = 0; done < n; done += 100_000) {
        const batch = Math.min(100_000, n - done);
        await pool.query(
          `insert into orders (${cols.join(', ')}) select ${exprs.join(', ')} from orders t cross join generate_series(1, $2::int) g(i) where t.order_id = $1`,
          [templateId, batch, tag, ...(numbered ? [String(numbered.base + BigInt(numbered.first + done))] : [])],
        );
      }
      await pool.query('analyze orders');
    },
    async idsTagged(tag) {
      return (await pool.query<{ order_id: string }>('select order_id from orders where merchant_reference1 = $1', [tag])).rows.map((r) => r.order_id);
    },
    async countOrders() {
      return Number((await pool.query<{ n: string }>('select count(*) as n from orders')).rows[0]?.n ?? 0);
    },
    async drop() {
      await pool.end();
      await dropPgDatabase(name);
    },
  };
}

const SQLITE_UUID =
  "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || " +
  "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

export function openSqliteStore(): BenchStore {
  const dir = mkdtempSync(join(tmpdir(), 'openom-bench-sqlite-'));
  const file = join(dir, 'openom.sqlite');
  let db: SQLite.Database | undefined;
  // Opened lazily: OpenOM creates the file and its schema on first start.
  const conn = () => {
    if (!db) {
      if (!existsSync(file)) throw new Error('SQLite store not created yet (start OpenOM first)');
      db = new SQLite(file);
      db.pragma('busy_timeout = 10000');
    }
    return db;
  };
  return {
    kind: 'sqlite',
    url: `sqlite:${file}`,
    async cloneOrders(templateId, n, tag, numbered) {
      if (numbered) throw new Error('numbered order ids are for the PostgreSQL pgbench pool only');
      const d = conn();
      const cols = await columnsOfOrders(async (table) => (d.prepare(`pragma table_info(${table})`).all() as { name: string }[]).map((r) => r.name));
      const exprs = cols.map((c) => (c === 'order_id' ? SQLITE_UUID : c === 'merchant_reference1' ? '@tag' : `t.${c}`));
      const insert = d.prepare(
        `with recursive s(i) as (select 1 union all select i + 1 from s where i < @n) ` +
          `insert into orders (${cols.join(', ')}) select ${exprs.join(', ')} from orders t, s where t.order_id = @template`,
      );
      for (let done = 0; done < n; done += 100_000) {
        insert.run({ n: Math.min(100_000, n - done), tag, template: templateId });
      }
    },
    async idsTagged(tag) {
      return (conn().prepare('select order_id from orders where merchant_reference1 = ?').all(tag) as { order_id: string }[]).map((r) => r.order_id);
    },
    async countOrders() {
      return (conn().prepare('select count(*) as n from orders').get() as { n: number }).n;
    },
    async drop() {
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL client program (pgbench, pg_test_fsync) on PATH or in /usr/lib/postgresql/<version>/bin. */
export function findPgTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}

export interface PgbenchResult {
  clients: number;
  seconds: number;
  tps: number;
  latency_avg_ms: number | null;
  transactions: number;
  failed: number;
}

export async function pgbenchInit(pgbench: string, url: string, scale: number): Promise<void> {
  await run(pgbench, ['-i', '-q', '-s', String(scale), url]);
}

/** pgbench for `seconds` with `clients`: TPC-B, or what `args` say (e.g. `-f script -M prepared`). */
export async function pgbenchRun(pgbench: string, url: string, clients: number, seconds: number, args: string[] = []): Promise<PgbenchResult> {
  const out = await run(pgbench, ['-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), ...args, url]);
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m?.[1] ? Number(m[1]) : null;
  };
  const tps = num(/tps = ([\d.]+) \(without initial connection time\)/) ?? num(/tps = ([\d.]+)/);
  if (tps === null) throw new Error(`cannot read pgbench output:\n${out}`);
  return {
    clients,
    seconds,
    tps,
    latency_avg_ms: num(/latency average = ([\d.]+) ms/),
    transactions: num(/number of transactions actually processed: (\d+)/) ?? 0,
    failed: num(/number of failed transactions: (\d+)/) ?? 0,
  };
}
