// A store that refuses OpenOM for good (wrong password, unknown role or database, a SQLite file
// that cannot be made) stops the start with one line naming DATABASE_URL, without its password;
// a store that is only not up yet is waited for (containers start in any order).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PG_BASE_URL, postgresOrSkip } from '../support/harness.js';
import { assertStopsWithOneLine, freePort, spawnOpenOM, waitForStatus } from '../support/process.js';

const PASSWORD = 'secret-db-password';
const QUERY_PASSWORD = 'query-secret-db-password';

function pgUrl(changes: { user?: string; database?: string; port?: number; queryPassword?: boolean }): string {
  const url = new URL(PG_BASE_URL);
  url.password = PASSWORD;
  if (changes.queryPassword) url.searchParams.set('password', QUERY_PASSWORD);
  if (changes.user) url.username = changes.user;
  if (changes.database) url.pathname = `/${changes.database}`;
  if (changes.port) url.port = String(changes.port);
  return url.toString();
}

/** PostgreSQL's wire answer to a wrong password: an ErrorResponse with SQLSTATE 28P01. */
function passwordRefusal(): Buffer {
  const fields = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "postgres"\0\0');
  const head = Buffer.alloc(5);
  head.write('E');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

describe('start-up against a store that refuses', () => {
  for (const where of ['user info', 'user info and ?password='] as const) {
  it(`a wrong password (28P01) in the ${where} stops the process with one line naming DATABASE_URL, without the password`, async () => {
    // Local PostgreSQL trusts every password: a stand-in server answers the start-up message as a real one does.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.end(passwordRefusal()));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const line = await assertStopsWithOneLine({ DATABASE_URL: pgUrl({ port, queryPassword: where !== 'user info' }), LOG_LEVEL: 'warn' }, 'DATABASE_URL');
      assert.match(line, /28P01/);
      assert.match(line, /password authentication failed/);
      assert.ok(!line.includes(PASSWORD), line);
      assert.ok(!line.includes(QUERY_PASSWORD), line);
      if (where !== 'user info') assert.match(line, /\?password=\*\*\*/);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
  }

  it('a SQLite file that cannot be created stops the process with one line naming DATABASE_URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-refused-'));
    try {
      // A file where the store's folder should be.
      writeFileSync(join(dir, 'not-a-folder'), '');
      await assertStopsWithOneLine({ DATABASE_URL: `sqlite:${join(dir, 'not-a-folder', 'store.sqlite')}` }, 'DATABASE_URL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a PostgreSQL that is not up yet is waited for: live, not ready, still running', async () => {
    const port = await freePort();
    const server = spawnOpenOM({ PORT: String(port), DATABASE_URL: pgUrl({ port: await freePort(), queryPassword: true }), LOG_LEVEL: 'warn' });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/health/live`, 200, 30_000, server);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(server.child.exitCode, null, server.stderr());
      assert.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 503);
      const output = server.stderr() + server.stdout();
      assert.match(output, /store not ready; retrying/);
      assert.ok(!output.includes(PASSWORD) && !output.includes(QUERY_PASSWORD), output);
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });

  describe('on the local PostgreSQL', async () => {
    if (!(await postgresOrSkip())) return;
    it('a database that does not exist (3D000) stops the process with one line naming DATABASE_URL', async () => {
      const line = await assertStopsWithOneLine({ DATABASE_URL: pgUrl({ database: 'openom_no_such_database' }), LOG_LEVEL: 'warn' }, 'DATABASE_URL');
      assert.match(line, /openom_no_such_database/);
      assert.match(line, /3D000/);
      assert.ok(!line.includes(PASSWORD), line);
    });

    it('a role that does not exist (28000) stops the process the same way', async () => {
      const line = await assertStopsWithOneLine({ DATABASE_URL: pgUrl({ user: 'openom_no_such_role' }), LOG_LEVEL: 'warn' }, 'DATABASE_URL');
      assert.match(line, /28000/);
      assert.ok(!line.includes(PASSWORD), line);
    });
  });
});
