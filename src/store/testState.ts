// A merchant's test state as a whole (CONTRACT §15): reset it, export it as one JSON document,
// import such a document in its place. Every table walked is one of merchantTables.ts; nothing
// here names a table of its own.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { problems, type Problem } from '../domain/errorCodes.js';
import { advanceClock } from './clock.js';
import { inReadSnapshot, inWriteTransaction, isUnavailableError, lockedRows, type Store } from './dialect.js';
import { signalJobsDue } from './jobs.js';
import { MERCHANT_TABLES, merchantTable, type MerchantTable } from './merchantTables.js';
import type { Database } from './schema.js';

export const SNAPSHOT_FORMAT = 'openom-snapshot';
export const SNAPSHOT_VERSION = 1;

type Value = string | number | null;
type Row = Record<string, Value>;

export interface SnapshotDocument {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  clock_offset_seconds: number;
  tables: Record<string, Row[]>;
}

const TABLES = MERCHANT_TABLES as readonly MerchantTable[];

/** The column of a table's store counter (its one-column primary key), if it has one. */
const counterOf = (t: MerchantTable): string | undefined => (t.serialId ? t.key[0] : undefined);

/** The rows of table that belong to the merchant, as a condition on alias `t`. */
function ownedBy(t: MerchantTable, merchantId: string): RawBuilder<unknown> {
  return t.scope.kind === 'merchant_id'
    ? sql`t.merchant_id = ${merchantId}`
    : sql`t.${sql.ref(t.scope.column)} in (select order_id from orders where merchant_id = ${merchantId})`;
}

async function deleteMerchantRows(store: Store, db: Kysely<Database>, merchantId: string): Promise<void> {
  // The merchant's orders are locked first (PostgreSQL; on SQLite the write transaction excludes
  // every other writer), as every order command locks its order: no capture or refund is added
  // under the delete.
  await lockedRows(store, db.selectFrom('orders').select('order_id').where('merchant_id', '=', merchantId), 'orders').execute();
  for (const t of [...TABLES].reverse()) {
    await sql`delete from ${sql.table(t.table)} as t where ${ownedBy(t, merchantId)}`.execute(db);
  }
}

/** PostgreSQL's foreign_key_violation: a row was added under the delete by a change that began before it. */
const isForeignKeyViolation = (err: unknown) => (err as { code?: unknown }).code === '23503';

/** Deletes everything the merchant made and sets its clock back to real time. False: no such merchant. */
export async function resetMerchant(store: Store, merchantId: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inWriteTransaction(store, async (db) => {
        const updated = await db.updateTable('merchants').set({ clock_offset_seconds: 0 }).where('merchant_id', '=', merchantId).executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return false;
        await deleteMerchantRows(store, db, merchantId);
        return true;
      });
    } catch (err) {
      // A new order committed while the reset ran (its rows deleted in part): the reset runs again.
      if (attempt >= 3 || !isForeignKeyViolation(err)) throw err;
    }
  }
}

/** A row as a snapshot holds it: keys sorted, no merchant id, store counters as positions. */
function exportedRow(t: MerchantTable, row: Row, positions: Map<string, Map<number, number>>, own: Map<number, number>): Row {
  const out: Row = {};
  for (const column of Object.keys(row).sort()) {
    if (t.scope.kind === 'merchant_id' && column === 'merchant_id') continue;
    let value = row[column] ?? null;
    if (typeof value === 'bigint') value = Number(value);
    if (column === counterOf(t)) value = own.get(Number(value)) ?? null;
    const target = t.refs?.[column];
    if (target && value !== null) value = positions.get(target)?.get(Number(value)) ?? null;
    out[column] = value;
  }
  return out;
}

/** The merchant's whole state as one JSON text: the same state always gives the same bytes. */
export async function exportSnapshot(store: Store, merchantId: string): Promise<string | undefined> {
  return inReadSnapshot(store, async (db) => {
    const merchant = await db.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirst();
    if (!merchant) return undefined;
    const tables: Record<string, Row[]> = {};
    const positions = new Map<string, Map<number, number>>();
    for (const t of TABLES) {
      const order = sql.join(t.key.map((k) => sql`t.${sql.ref(k)}`));
      const rows = (await sql<Row>`select t.* from ${sql.table(t.table)} as t where ${ownedBy(t, merchantId)} order by ${order}`.execute(db)).rows;
      const own = new Map<number, number>();
      const counter = counterOf(t);
      if (counter) rows.forEach((row, i) => own.set(Number(row[counter]), i + 1));
      positions.set(t.table, own);
      tables[t.table] = rows.map((row) => exportedRow(t, row, positions, own));
    }
    const doc: SnapshotDocument = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, clock_offset_seconds: Number(merchant.clock_offset_seconds), tables };
    return JSON.stringify(doc);
  });
}

interface ColumnInfo {
  numeric: boolean;
  nullable: boolean;
}

const columnsOfStore = new WeakMap<Store, Promise<Map<string, Map<string, ColumnInfo>>>>();

/** The migrated database's columns, per table: what a snapshot's rows are checked against. */
function storeColumns(store: Store): Promise<Map<string, Map<string, ColumnInfo>>> {
  let found = columnsOfStore.get(store);
  if (!found) {
    found = store.db.introspection.getTables().then(
      (tables) =>
        new Map(
          tables.map((t) => [
            t.name,
            new Map(t.columns.map((c) => [c.name, { numeric: /int|serial|numeric|real|double/i.test(c.dataType), nullable: c.isNullable }])),
          ]),
        ),
    );
    columnsOfStore.set(store, found);
  }
  return found;
}

export type ImportOutcome = { ok: true } | { ok: false; problem: Problem };

const bad = (message: string): ImportOutcome => ({ ok: false, problem: problems.badValue(message) });

function checkRows(t: MerchantTable, rows: unknown, columns: Map<string, ColumnInfo>): string | undefined {
  if (!Array.isArray(rows)) return `tables.${t.table} (an array of rows)`;
  for (const [i, row] of rows.entries()) {
    const at = `tables.${t.table}[${i}]`;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return `${at} (an object)`;
    for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
      const info = columns.get(column);
      if (!info || (t.scope.kind === 'merchant_id' && column === 'merchant_id')) return `${at}.${column} (no such column)`;
      if (value === null ? !info.nullable && column !== counterOf(t) : info.numeric ? !Number.isSafeInteger(value) : typeof value !== 'string') {
        return `${at}.${column} (${info.numeric ? 'an integer' : 'a string'}${info.nullable ? ' or null' : ''})`;
      }
    }
  }
  return undefined;
}

/** A snapshot document, checked against the store's tables; a message naming the field if it is not one. */
async function checkDocument(store: Store, doc: unknown): Promise<SnapshotDocument | string> {
  const d = doc as Partial<SnapshotDocument> | null;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return 'snapshot (a JSON object)';
  if (d.format !== SNAPSHOT_FORMAT) return `format (must be "${SNAPSHOT_FORMAT}")`;
  if (d.version !== SNAPSHOT_VERSION) return `version (this OpenOM reads version ${SNAPSHOT_VERSION})`;
  if (!Number.isSafeInteger(d.clock_offset_seconds) || (d.clock_offset_seconds as number) < 0) return 'clock_offset_seconds (a whole number ≥ 0)';
  if (typeof d.tables !== 'object' || d.tables === null || Array.isArray(d.tables)) return 'tables (an object)';
  const columns = await storeColumns(store);
  for (const [name, rows] of Object.entries(d.tables)) {
    const t = merchantTable(name);
    if (!t) return `tables.${name} (not a table of merchant data)`;
    const problem = checkRows(t, rows, columns.get(t.table) ?? new Map());
    if (problem) return problem;
  }
  return d as SnapshotDocument;
}

/**
 * n new ids of table's counter, taken in the import's write transaction: PostgreSQL's sequence
 * hands them out; on SQLite the transaction holds the write lock, so the ids after the largest are free.
 */
async function freshIds(store: Store, db: Kysely<Database>, table: string, counter: string, n: number): Promise<number[]> {
  if (n === 0) return [];
  if (store.dialect === 'postgres') {
    const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, ${counter})) as id from generate_series(1, ${n}::int)`.execute(db);
    return rows.map((r) => Number(r.id));
  }
  const { rows } = await sql<{ id: number | null }>`select max(${sql.ref(counter)}) as id from ${sql.table(table)}`.execute(db);
  const base = Number(rows[0]?.id ?? 0);
  return Array.from({ length: n }, (_, i) => base + i + 1);
}

/** Inserts one table's rows for the merchant; the store's new ids of its counted rows, by position. */
async function insertRows(store: Store, db: Kysely<Database>, t: MerchantTable, rows: Row[], merchantId: string, newIds: Map<string, Map<number, number>>): Promise<Map<number, number>> {
  const mine = new Map<number, number>();
  // A table whose ids others refer to gets its new ids first, to translate those references.
  const counter = counterOf(t);
  const referenced = TABLES.some((other) => Object.values(other.refs ?? {}).includes(t.table));
  const ids = referenced && counter ? await freshIds(store, db, t.table, counter, rows.length) : [];
  const values = rows.map((row, i) => {
    const out: Row = { ...row };
    if (t.scope.kind === 'merchant_id') out.merchant_id = merchantId;
    if (counter) {
      delete out[counter];
      const id = ids[i];
      if (id !== undefined) {
        out[counter] = id;
        mine.set(Number(row[counter] ?? i + 1), id);
      }
    }
    for (const [column, target] of Object.entries(t.refs ?? {})) {
      const position = out[column];
      if (position !== null && position !== undefined) out[column] = newIds.get(target)?.get(Number(position)) ?? -1;
    }
    return out;
  });
  // Rows with the same columns go together, as many as the statement's parameters allow.
  const groups = new Map<string, Row[]>();
  for (const row of values) {
    const shape = Object.keys(row).join(',');
    const group = groups.get(shape);
    if (group) group.push(row);
    else groups.set(shape, [row]);
  }
  for (const group of groups.values()) {
    const columns = Object.keys(group[0] ?? {});
    const perStatement = Math.max(1, Math.floor(30_000 / Math.max(1, columns.length)));
    for (let i = 0; i < group.length; i += perStatement) {
      const tuples = group.slice(i, i + perStatement).map((r) => sql`(${sql.join(columns.map((c) => r[c] ?? null))})`);
      await sql`insert into ${sql.table(t.table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${sql.join(tuples)}`.execute(db);
    }
  }
  return mine;
}

/** Replaces the merchant's whole state with the document's, in one transaction: all of it or nothing. */
export async function importSnapshot(store: Store, merchantId: string, doc: unknown): Promise<ImportOutcome | undefined> {
  const checked = await checkDocument(store, doc);
  if (typeof checked === 'string') return bad(`Bad value: ${checked}`);
  try {
    const done = await inWriteTransaction(store, async (db) => {
      const updated = await db
        .updateTable('merchants')
        .set({ clock_offset_seconds: checked.clock_offset_seconds })
        .where('merchant_id', '=', merchantId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await deleteMerchantRows(store, db, merchantId);
      const newIds = new Map<string, Map<number, number>>();
      for (const t of TABLES) {
        const rows = checked.tables[t.table] ?? [];
        if (rows.length > 0) newIds.set(t.table, await insertRows(store, db, t, rows, merchantId, newIds));
      }
      return true;
    });
    signalJobsDue(store);
    return done ? { ok: true } : undefined;
  } catch (err) {
    if (isUnavailableError(err)) throw err;
    // The rows contradict the store: an id another merchant has, a missing parent row, a broken check.
    return bad(`Bad value: tables (the snapshot cannot be loaded here: ${(err as Error).message.slice(0, 300)})`);
  }
}

export interface FixedMerchant {
  merchant_id: string;
  name: string;
  username: string;
  password_hash: string;
  created_at: string;
}

/**
 * The merchant as a fixture declares it, made or brought in line (name, credentials), with nothing
 * else: its state reset and its clock at the given offset. A problem when another merchant has the username.
 */
export async function freshFixedMerchant(store: Store, merchant: FixedMerchant, clockOffsetSeconds: number): Promise<Problem | undefined> {
  const clash = await store.db
    .selectFrom('merchants')
    .select('merchant_id')
    .where('username', '=', merchant.username)
    .where('merchant_id', '!=', merchant.merchant_id)
    .executeTakeFirst();
  if (clash) return problems.badValue(`Bad value: username (${merchant.username} is another merchant's)`);
  await inWriteTransaction(store, async (db) => {
    await db
      .insertInto('merchants')
      .values({ ...merchant, clock_offset_seconds: 0 })
      .onConflict((oc) => oc.column('merchant_id').doUpdateSet({ name: merchant.name, username: merchant.username, password_hash: merchant.password_hash }))
      .execute();
    await db.deleteFrom('portal_sessions').where('merchant_id', '=', merchant.merchant_id).execute();
  });
  await resetMerchant(store, merchant.merchant_id);
  if (clockOffsetSeconds > 0) await advanceClock(store, merchant.merchant_id, clockOffsetSeconds);
  return undefined;
}

/** Which of these order ids exist, and whose they are. */
export async function ownersOfOrders(store: Store, orderIds: string[]): Promise<Map<string, string>> {
  if (orderIds.length === 0) return new Map();
  const rows = await store.db.selectFrom('orders').select(['order_id', 'merchant_id']).where('order_id', 'in', orderIds).execute();
  return new Map(rows.map((r) => [r.order_id, r.merchant_id]));
}

/** A setting of the server's own (settings table), written or replaced. */
export async function putSetting(store: Store, key: string, value: string): Promise<void> {
  await inWriteTransaction(store, (db) =>
    db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute(),
  );
}
