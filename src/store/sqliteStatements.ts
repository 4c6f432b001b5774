// Kysely's SQLite driver prepares every statement anew; compiling SQL costs more than running our
// small indexed queries. This wrapper reuses prepared statements by their SQL text.
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

const MAX_CACHED_STATEMENTS = 1000;

export function withStatementCache(db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (!statement) {
        statement = db.prepare(text);
        // Query shapes are few; if something generates endless variants, start over rather than grow.
        if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
        cache.set(text, statement);
      }
      return statement;
    },
  };
}
