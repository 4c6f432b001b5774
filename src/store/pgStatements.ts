// PostgreSQL round trips. Every parameterized query is named after its SQL text, so each pooled
// connection parses and plans it once and then only binds and executes it. And several statements
// can travel as one pipeline (pipeline()): on a client in pg's pipeline mode they are written
// back-to-back in one network write, each still a parameterized statement, and their results come
// back in one go. Values are never spliced into SQL text.
import { createHash } from 'node:crypto';
import { CompiledQuery, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';

const PIPELINE = '/* openom:pipeline */';

/** One statement of a pipeline: its rows and command tag, or the error it failed with. */
export type StatementResult = { ok: true; rows: Record<string, unknown>[]; command: string } | { ok: false; error: unknown };

/**
 * The statements as one pipeline, for a connection of a pool opened with `pipeline: true`.
 * Executing it returns one StatementResult per statement, in order. After a failed statement the
 * server refuses the rest of an open transaction block ("current transaction is aborted") and
 * answers its COMMIT with ROLLBACK.
 */
export function pipeline(statements: readonly CompiledQuery[]): CompiledQuery<StatementResult> {
  return CompiledQuery.raw(PIPELINE, [...statements]) as CompiledQuery<StatementResult>;
}

const MAX_NAMES = 10_000;

interface Corkable {
  cork(): void;
  uncork(): void;
}

export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (!name) {
      name = `openom_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      if (names.size < MAX_NAMES) names.set(text, name);
    }
    return name;
  };
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      // pg writes each protocol message (Bind, Describe, Execute, Sync…) to the socket separately:
      // corked, a query (or a whole pipeline) leaves in one write instead of many system calls.
      const stream = (client as unknown as { connection?: { stream?: Corkable } }).connection?.stream;
      const send = <R>(submit: () => R): R => {
        stream?.cork();
        try {
          return submit();
        } finally {
          stream?.uncork();
        }
      };
      const submit = (text: string, values: readonly unknown[]) =>
        values.length > 0 ? client.query({ name: nameOf(text), text, values: [...values] }) : client.query(text);
      wrapper = {
        query: (async (text: string, values?: unknown[]) => {
          if (text !== PIPELINE) return send(() => submit(text, values ?? []));
          const pending = send(() => (values as CompiledQuery[]).map((s) => submit(s.sql, s.parameters)));
          const settled = await Promise.allSettled(pending);
          const rows: StatementResult[] = settled.map((s) =>
            s.status === 'fulfilled' ? { ok: true, rows: s.value.rows as Record<string, unknown>[], command: s.value.command } : { ok: false, error: s.reason },
          );
          return { command: 'PIPELINE', rowCount: rows.length, rows };
        }) as unknown as PostgresPoolClient['query'],
        release: (err?: boolean | Error) => client.release(err),
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
