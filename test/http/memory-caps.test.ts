// Memory caps (README, Performance): SQLite's page cache per connection is OPENOM_SQLITE_CACHE_MB
// (8 MB unless set; better-sqlite3's build would give each connection 16 MB), on the writer and the
// reader alike; and every launcher runs node with the heap flags npm start uses.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrations.js';

async function cacheSizes(sqliteCacheMb?: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'openom-cache-'));
  const store = openStore({ kind: 'sqlite', path: join(dir, 'openom.sqlite') }, sqliteCacheMb === undefined ? {} : { sqliteCacheMb });
  try {
    await migrate(store);
    const size = async (db: typeof store.db) => (await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]!.cache_size;
    return [await size(store.db), await size(store.reader)];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('memory caps', () => {
  it('SQLite: 8 MB of page cache per connection by default, OPENOM_SQLITE_CACHE_MB otherwise', async () => {
    assert.equal(loadConfig({}).sqliteCacheMb, 8);
    assert.equal(loadConfig({ OPENOM_SQLITE_CACHE_MB: '2' }).sqliteCacheMb, 2);
    assert.throws(() => loadConfig({ OPENOM_SQLITE_CACHE_MB: '0' }));
    assert.deepEqual(await cacheSizes(), [-8 * 1024, -8 * 1024]);
    assert.deepEqual(await cacheSizes(2), [-2 * 1024, -2 * 1024]);
  });

  it('npm start, openom start and the image run node with the same heap flags', () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ');
    const flags = start.filter((arg) => arg.startsWith('--'));
    assert.ok(flags.includes('--max-old-space-size=512') && flags.includes('--max-semi-space-size=2'), start.join(' '));
    assert.match(readFileSync('src/cli/start.ts', 'utf8'), new RegExp(`NODE_FLAGS = \\[${flags.map((f) => `'${f}'`).join(', ')}\\]`));
  });
});
