// The own-SQL anchors (issue 23): OpenOM's capture transaction without OpenOM around it, the ceiling
// of the database for exactly this work.
//
// The statements are never copied by hand: an OpenOM process started from src/ with
// bench/lib/sql-recorder.mjs preloaded records every statement it sends (text and parameters, as the
// driver passes them) while it answers one capture of a cloned order, the same request the capture
// workload sends (no idempotency key). The capture's transaction is cut out of that record and
// replayed:
//   (a) PostgreSQL: as a pgbench script (`-M prepared`, all statements in one pipeline: one round
//       trip per capture, where OpenOM needs two), each client on fresh orders of a pool cloned like
//       the bench's;
//   (b) SQLite: by a plain better-sqlite3 loop on the store file, with the pragmas OpenOM's writer
//       set (recorded too), N captures per commit, each in its savepoint as OpenOM's group commit does.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { benchCapture, captureOrder, createOrder, benchMerchantId, standardOrder, type Credentials } from './api.js';
import { ROOT, startOpenOM } from './proc.js';
import { pgbenchRun, type BenchStore, type PgbenchResult } from './stores.js';

type Value = string | number | null;

export interface RecordedStatement {
  text: string;
  values: Value[];
}

export interface RecordedCapture {
  /** The order captured while recording, and the capture's id: the values that change per capture. */
  orderId: string;
  captureId: string;
  /** The template order the pool is cloned from (the bench's standard order). */
  templateId: string;
  /** Pragmas the writing connection ran when it was opened (SQLite). */
  setup: RecordedStatement[];
  /** BEGIN … COMMIT of the capture, as sent on the writing connection. */
  transaction: RecordedStatement[];
}

interface Recorded extends RecordedStatement {
  driver: 'pg' | 'sqlite';
  conn: number;
}

const RECORDER = pathToFileURL(join(ROOT, 'bench', 'lib', 'sql-recorder.mjs')).href;

/**
 * Starts OpenOM from src/ (tsx) on `store` with the recorder, makes the bench's template order,
 * captures one clone of it as the capture workload does, and returns that capture's transaction.
 */
export async function recordCapture(store: BenchStore, env: Record<string, string>, credentials: Credentials): Promise<RecordedCapture> {
  const file = join(tmpdir(), `openom-bench-sql-${process.pid}-${store.kind}.jsonl`);
  rmSync(file, { force: true });
  const server = await startOpenOM({ ...env, DATABASE_URL: store.url, BENCH_SQL_RECORD: file }, ['--import', 'tsx', '--import', RECORDER], 'src/main.ts');
  let orderId: string;
  let captureId: string;
  let templateId: string;
  try {
    const merchantId = await benchMerchantId(server.url, credentials);
    templateId = await createOrder(server.url, credentials, merchantId, standardOrder());
    await store.cloneOrders(templateId, 1, 'bench-recorded');
    orderId = (await store.idsTagged('bench-recorded'))[0]!;
    captureId = await captureOrder(server.url, credentials, orderId, benchCapture());
  } finally {
    await server.stop();
  }
  const records = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Recorded);
  rmSync(file, { force: true });
  const insert = records.filter((r) => r.text.startsWith('insert into "captures"') && r.values.includes(orderId)).pop();
  if (!insert || !captureId) throw new Error(`own-SQL anchor: the recorded ${store.kind} statements hold no capture of ${orderId}`);
  const onConn = records.filter((r) => r.conn === insert.conn);
  const at = onConn.indexOf(insert);
  const begin = onConn.slice(0, at + 1).map((r) => /^begin\b/i.test(r.text)).lastIndexOf(true);
  const commit = onConn.findIndex((r, i) => i >= at && /^commit\b/i.test(r.text));
  if (begin < 0 || commit < 0) throw new Error(`own-SQL anchor: no BEGIN … COMMIT around the recorded ${store.kind} capture`);
  const plain = (r: Recorded): RecordedStatement => ({ text: r.text, values: r.values });
  return {
    orderId,
    captureId,
    templateId,
    setup: onConn.filter((r) => /^pragma\b/i.test(r.text)).map(plain),
    transaction: onConn.slice(begin, commit + 1).map(plain),
  };
}

// ---------------------------------------------------------------- (a) pgbench

/**
 * Order ids of the pgbench pool: ORDER_ID_BASE + position, as text (pgbench makes numbers, not
 * UUIDs: 19 characters instead of 36). Capture ids are scattered over the next 10^18 by pgbench's
 * hash(), as random UUIDs scatter in the primary key.
 */
export const ORDER_ID_BASE = 1_000_000_000_000_000_000n;

export interface PgbenchScript {
  script: string;
  /** `-D name=value` for every other parameter (the recorded value). */
  defines: string[];
}

/**
 * The recorded transaction as a pgbench script: one pipeline (one round trip). Each `$n` becomes
 * :oid (the order), :cid (the capture), the literal NULL for a null (pgbench cannot bind one), or a
 * variable holding the recorded value.
 */
export function pgbenchScript(rec: RecordedCapture): PgbenchScript {
  const defines: string[] = [];
  const statements = rec.transaction.map((s, i) =>
    s.text.replace(/\$(\d+)/g, (_, n: string) => {
      const value = s.values[Number(n) - 1];
      if (value === undefined) throw new Error(`own-SQL anchor: statement ${i} has no value for $${n}`);
      if (value === null) return 'NULL';
      if (value === rec.orderId) return ':oid';
      if (value === rec.captureId) return ':cid';
      if (/[\n\r]/.test(String(value))) throw new Error(`own-SQL anchor: a multi-line value cannot be passed to pgbench (statement ${i})`);
      defines.push(`v${i}_${n}=${value}`);
      return `:v${i}_${n}`;
    }),
  );
  for (const s of statements) {
    if (/(^|[^:]):(?!oid\b|cid\b|v\d+_\d+\b)[A-Za-z_]/.test(s)) throw new Error(`own-SQL anchor: pgbench would read a variable in: ${s}`);
  }
  const script = [
    "-- OpenOM's capture transaction as recorded by bench/lib/own-sql.ts (generated; values in -D)",
    // Client i of C takes pool positions first+i, first+i+C, …: every capture on a fresh order.
    '\\set k :k + 1',
    '\\set n :first + :client_id + :nclients * (:k - 1)',
    `\\set oid ${ORDER_ID_BASE} + :n`,
    `\\set cid ${ORDER_ID_BASE} + abs(hash(:n) % ${ORDER_ID_BASE})`,
    '\\startpipeline',
    ...statements.map((s) => `${s};`),
    '\\endpipeline',
    '',
  ].join('\n');
  return { script, defines };
}

export interface OwnSqlPgbench extends PgbenchScript {
  run(clients: number, seconds: number): Promise<PgbenchResult & { pool_orders: number }>;
  close(): void;
}

/**
 * pgbench on the recorded capture against `store` (a PostgreSQL bench store that the recording
 * ran on). The pool of fresh orders grows as runs need it; a run that ran out of orders (the first
 * capture of a missing order fails its foreign key) is repeated with a larger pool.
 */
export function ownSqlPgbench(pgbench: string, store: BenchStore, rec: RecordedCapture, log: (msg: string) => void): OwnSqlPgbench {
  const { script, defines } = pgbenchScript(rec);
  const scriptFile = join(tmpdir(), `openom-bench-capture-${process.pid}.sql`);
  writeFileSync(scriptFile, script);
  let cloned = 0; // pool positions 0 … cloned-1 exist
  let used = 0; // positions below this have been captured
  let lastTps = 0;
  // The highest pool position captured so far (-1: none).
  const usedUpTo = async () => {
    const client = new pg.Client({ connectionString: store.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "select coalesce(max(order_id::numeric) - $1::numeric, -1)::text as n from captures where order_id ~ '^[0-9]+$'",
        [String(ORDER_ID_BASE)],
      );
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  };
  return {
    script,
    defines,
    async run(clients, seconds) {
      let rate = Math.max(2000, lastTps * 2);
      for (let attempt = 1; ; attempt++) {
        const need = Math.ceil(rate * seconds) + 10 * clients;
        if (cloned - used < need) {
          const more = need - (cloned - used);
          log(`  cloning ${more.toLocaleString('en')} orders for pgbench`);
          await store.cloneOrders(rec.templateId, more, 'bench-pgbench', { base: ORDER_ID_BASE, first: cloned });
          cloned += more;
        }
        const args = ['-M', 'prepared', '-f', scriptFile, '-D', `first=${used}`, '-D', `nclients=${clients}`, '-D', 'k=0', ...defines.flatMap((d) => ['-D', d])];
        try {
          const r = await pgbenchRun(pgbench, store.url, clients, seconds, args);
          used = (await usedUpTo()) + 1;
          lastTps = r.tps;
          return { ...r, pool_orders: cloned };
        } catch (err) {
          used = (await usedUpTo()) + 1;
          if (attempt >= 3 || !/violates foreign key constraint/.test(String(err))) throw err;
          rate *= 2;
          log(`  pgbench ran out of fresh orders; again with a larger pool (attempt ${attempt + 1})`);
        }
      }
    },
    close: () => rmSync(scriptFile, { force: true }),
  };
}

// ---------------------------------------------------------------- (b) SQLite

/** A timed loop: operations (captures, fdatasync calls) per second and each commit's (call's) latency. */
export interface LoopResult {
  operations: number;
  commits: number;
  seconds: number;
  rate: number;
  latency_ms: { p50: number | null; p99: number | null };
}

/** `count` operations in `seconds`, and their latencies (ms, any order). */
function summary(count: number, latencies: number[], seconds: number): LoopResult {
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
  return { operations: count, commits: sorted.length, seconds, rate: count / seconds, latency_ms: { p50: pct(50), p99: pct(99) } };
}

/** Runs a statement as Kysely's SQLite driver does: rows for a reader, run() otherwise. */
function exec(statement: SQLite.Statement, values: Value[]): void {
  if (statement.reader) statement.all(values);
  else statement.run(values);
}

/**
 * The recorded capture replayed with better-sqlite3 on the store file: `perCommit` captures per
 * BEGIN IMMEDIATE … COMMIT (each in its savepoint, as OpenOM's group commit runs them), on fresh
 * orders from `ids`, for `seconds` or until the ids run out.
 */
export function sqliteCaptureLoop(file: string, rec: RecordedCapture, ids: readonly string[], perCommit: number, seconds: number): LoopResult {
  const db = new SQLite(file);
  try {
    for (const s of rec.setup) exec(db.prepare(s.text), s.values);
    const [begin, ...rest] = rec.transaction.map((s) => ({ statement: db.prepare(s.text), values: s.values }));
    const commit = rest.pop()!;
    const perOrder = (orderId: string) => {
      const captureId = randomUUID();
      for (const s of rest) exec(s.statement, s.values.map((v) => (v === rec.orderId ? orderId : v === rec.captureId ? captureId : v)));
    };
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    while (performance.now() < until && next + perCommit <= ids.length) {
      const t0 = performance.now();
      exec(begin!.statement, begin!.values);
      for (let i = 0; i < perCommit; i++) perOrder(ids[next++]!);
      exec(commit.statement, commit.values);
      latencies.push(performance.now() - t0);
    }
    return summary(next, latencies, (performance.now() - started) / 1000);
  } finally {
    db.close();
  }
}

/** Whether a recorded SQLite transaction has the shape the loop replays: BEGIN, one savepoint, COMMIT. */
export function checkSqliteShape(rec: RecordedCapture): void {
  const t = rec.transaction.map((s) => s.text.toLowerCase());
  if (!/^begin immediate/.test(t[0]!) || !/^savepoint /.test(t[1]!) || !/^release /.test(t[t.length - 2]!) || !/^commit/.test(t[t.length - 1]!)) {
    throw new Error(`own-SQL anchor: unexpected SQLite transaction shape: ${t.join(' | ')}`);
  }
}

// ---------------------------------------------------------------- fsync

/**
 * pg_test_fsync's first fdatasync figure (one 8 kB write, in `dir`), then it is stopped: the
 * rest of its tests are not needed here. Undefined when it printed none.
 */
export function pgTestFsync(binary: string, dir: string, secondsPerTest: number): Promise<{ ops_per_s: number; usecs_per_op: number } | undefined> {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ['-s', String(secondsPerTest), '-f', join(dir, 'pg_test_fsync.out')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let found: { ops_per_s: number; usecs_per_op: number } | undefined;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^\s+fdatasync\s+([\d.]+) ops\/sec\s+(\d+) usecs\/op/m.exec(out);
      if (m && !found) {
        found = { ops_per_s: Number(m[1]), usecs_per_op: Number(m[2]) };
        proc.kill('SIGTERM');
      }
    });
    proc.once('error', reject);
    proc.once('exit', () => resolve(found));
  });
}

/** fdatasync calls per second on a file in `dir`: the same 8 KiB overwritten, then fdatasync, for `seconds`. */
export function fdatasyncRate(dir: string, seconds: number): LoopResult {
  const file = join(dir, 'fdatasync-probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(8192, 1);
  try {
    writeSync(fd, block, 0, block.length, 0);
    fdatasyncSync(fd);
    const latencies: number[] = [];
    const started = performance.now();
    const until = started + seconds * 1000;
    while (performance.now() < until) {
      const t0 = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      latencies.push(performance.now() - t0);
    }
    return summary(latencies.length, latencies, (performance.now() - started) / 1000);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}
