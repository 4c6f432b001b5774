// Records every SQL statement an OpenOM process sends, with its parameters, for the own-SQL anchors
// (bench/lib/own-sql.ts): loaded with `node --import tsx --import ./bench/lib/sql-recorder.mjs
// src/main.ts` and BENCH_SQL_RECORD=<file>, it appends one JSON line per statement to <file>:
//   { "driver": "pg", "conn": n, "text": "...", "values": [...] }       pg (what pg sends: values as text, or null)
//   { "driver": "sqlite", "conn": n, "text": "...", "values": [...] }   better-sqlite3 (bound as given)
// `conn` numbers the connection (pg Client / better-sqlite3 Database) in the order they were first used.
// It wraps the drivers' query methods and changes nothing else. Without BENCH_SQL_RECORD it does nothing.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const file = process.env.BENCH_SQL_RECORD;
if (file) {
  const require = createRequire(`${process.cwd()}/`);
  const connIds = new WeakMap();
  let nextConn = 1;
  const connOf = (obj) => {
    if (!connIds.has(obj)) connIds.set(obj, nextConn++);
    return connIds.get(obj);
  };
  const record = (driver, conn, text, values) => appendFileSync(file, `${JSON.stringify({ driver, conn, text, values })}\n`);

  // pg: Client#query(text | config, values?, callback?). Values are recorded as pg puts them on the wire.
  const pg = require('pg');
  const { prepareValue } = require('pg/lib/utils');
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function recordedQuery(config, values, callback) {
    const text = typeof config === 'string' ? config : config?.text;
    const params = (typeof config === 'object' && config?.values) || (Array.isArray(values) ? values : []);
    if (typeof text === 'string') record('pg', connOf(this), text, params.map((v) => prepareValue(v)));
    return query.call(this, config, values, callback);
  };

  // better-sqlite3: statements run through Statement#run/get/all/iterate (Kysely, pragmas).
  const Database = require('better-sqlite3');
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statementProto[method];
    statementProto[method] = function recordedStatement(...args) {
      const values = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
      record('sqlite', connOf(this.database), this.source, values);
      return original.apply(this, args);
    };
  }
}
