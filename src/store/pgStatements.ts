// PostgreSQL round trips. Every parameterized query is named after its SQL text, so each pooled
// connection parses and plans it once and then only binds and executes it. And several statements
// can travel as one message (multiStatement): the simple query protocol takes no parameters, so
// they are inlined as escaped literals.
import { createHash } from 'node:crypto';
import { CompiledQuery, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';

const MULTI = '/* openom:multi */ ';

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value < 0 ? `(${value})` : String(value);
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  throw new TypeError(`cannot inline a ${typeof value} parameter`);
}

/** Kysely's SQL carries every value as a $n parameter (no literals), so each $n is one value. */
function inline(query: CompiledQuery): string {
  return query.sql.replace(/\$(\d+)/g, (_, n: string) => literal(query.parameters[Number(n) - 1]));
}

/** One message with several statements; executing it returns the last statement's result. */
export function multiStatement(statements: readonly (CompiledQuery | string)[]): CompiledQuery {
  return CompiledQuery.raw(MULTI + statements.map((s) => (typeof s === 'string' ? s : inline(s))).join(';\n'));
}

const MAX_NAMES = 10_000;

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
      // corked, a query leaves in one write instead of four or five system calls.
      const stream = (client as unknown as { connection?: { stream?: { cork(): void; uncork(): void } } }).connection?.stream;
      const send = <R>(submit: () => Promise<R>): Promise<R> => {
        stream?.cork();
        try {
          return submit();
        } finally {
          stream?.uncork();
        }
      };
      wrapper = {
        query: (async (text: string, values?: unknown[]) => {
          if (values && values.length > 0) return send(() => client.query({ name: nameOf(text), text, values }));
          if (!text.startsWith(MULTI)) return send(() => client.query(text));
          const results = (await send(() => client.query(text))) as unknown as pg.QueryResult | pg.QueryResult[];
          return Array.isArray(results) ? results[results.length - 1] : results;
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
