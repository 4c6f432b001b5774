// SQLite group commit. Every write command of this process goes through one queue; the commands
// waiting when the writer is free run together in one BEGIN IMMEDIATE … COMMIT, each inside its
// own savepoint (a failing command rolls back alone), and all are answered after the single
// COMMIT. With synchronous=FULL that is one fsync per batch instead of one per request, and no
// command is acknowledged before its data is on disk.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

interface Job {
  fn: (db: Kysely<Database>) => Promise<unknown>;
  /** Epoch ms after which the job gives up rather than start (it is answered as not applied). */
  deadline: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

const MAX_BATCH = 256;

export class SqliteWriteQueue {
  private queue: Job[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly begin: (conn: Kysely<Database>) => Promise<void>,
    private readonly expired: () => Error,
  ) {}

  /** Commands waiting for the next batch. */
  get pending(): number {
    return this.queue.length;
  }

  run<T>(fn: (db: Kysely<Database>) => Promise<T>, deadline = Infinity): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, deadline, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // Let the requests already read from the sockets join this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(jobs: Job[]): Promise<void> {
    const now = Date.now();
    const batch = jobs.filter((job) => job.deadline >= now);
    for (const job of jobs) if (job.deadline < now) job.reject(this.expired());
    if (batch.length === 0) return;
    const settled: Settled[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        await this.begin(conn);
        try {
          for (const job of batch) {
            await sql`savepoint command`.execute(conn);
            try {
              const value = await job.fn(conn);
              await sql`release command`.execute(conn);
              settled.push({ ok: true, value });
            } catch (error) {
              await sql`rollback to command`.execute(conn);
              await sql`release command`.execute(conn);
              settled.push({ ok: false, error });
            }
          }
          await sql`commit`.execute(conn);
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw err;
        }
      });
    } catch (err) {
      // Nothing of the batch was committed: every command in it failed.
      for (const job of batch) job.reject(err);
      return;
    }
    batch.forEach((job, i) => {
      const s = settled[i]!;
      if (s.ok) job.resolve(s.value);
      else job.reject(s.error);
    });
  }
}
