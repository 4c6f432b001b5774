// Configuration from the environment (CONTRACT §1): defaults, DATABASE_URL forms, and bad values
// that stop the process with one line naming the variable.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { assertStopsWithOneLine, freePort, spawnOpenOM, waitForStatus } from '../support/process.js';

const secretsDir = mkdtempSync(join(tmpdir(), 'openom-config-secrets-'));
after(() => rmSync(secretsDir, { recursive: true, force: true }));

/** A secret file as Docker writes one (/run/secrets/<name>), usually with a final line break. */
function secretFile(name: string, content: string): string {
  const path = join(secretsDir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('config: loadConfig', () => {
  it('defaults to 127.0.0.1:8080 and the SQLite file ./data/openom.sqlite', () => {
    const c = loadConfig({});
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.deepEqual(c.store, { kind: 'sqlite', path: './data/openom.sqlite' });
    assert.equal(c.adminToken, undefined);
    assert.equal(c.sandboxUsername, undefined);
    assert.equal(c.sandboxPassword, undefined);
    assert.deepEqual(c.tls, { kind: 'off' });
    assert.equal(c.logTime, 'epoch');
  });

  it('reads the TLS variables and LOG_TIME', () => {
    assert.deepEqual(loadConfig({ OPENOM_TLS: 'self-signed' }).tls, { kind: 'self-signed' });
    assert.deepEqual(loadConfig({ OPENOM_TLS_CERT: 'c.pem', OPENOM_TLS_KEY: 'k.pem' }).tls, { kind: 'files', certPath: 'c.pem', keyPath: 'k.pem' });
    assert.equal(loadConfig({ LOG_TIME: 'iso' }).logTime, 'iso');
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ HOST: '', PORT: '', DATABASE_URL: '', OPENOM_ADMIN_TOKEN: '' });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.store.kind, 'sqlite');
    assert.equal(c.adminToken, undefined);
  });

  it('reads HOST, PORT, the admin token and the sandbox credentials', () => {
    const c = loadConfig({
      HOST: '0.0.0.0',
      PORT: '9999',
      OPENOM_ADMIN_TOKEN: 'a-long-enough-admin-token',
      OPENOM_SANDBOX_USERNAME: 'sandbox_user',
      OPENOM_SANDBOX_PASSWORD: 'sandbox-password',
    });
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 9999);
    assert.equal(c.adminToken, 'a-long-enough-admin-token');
    assert.equal(c.sandboxUsername, 'sandbox_user');
    assert.equal(c.sandboxPassword, 'sandbox-password');
  });

  it('understands postgres://, postgresql://, sqlite:<path> and sqlite::memory:', () => {
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/openom' }).store, { kind: 'postgres', url: 'postgres://u:p@db:5432/openom' });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgresql://db/openom' }).store, { kind: 'postgres', url: 'postgresql://db/openom' });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:./var/om.sqlite' }).store, { kind: 'sqlite', path: './var/om.sqlite' });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x/om.db' }).store, { kind: 'sqlite', path: '/tmp/x/om.db' });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).store, { kind: 'sqlite', path: ':memory:' });
  });

  it('OPENOM_PUBLIC_URL defaults to http://HOST:PORT (https with TLS), with 127.0.0.1 for a wildcard HOST; a given one loses its trailing slash', () => {
    assert.equal(loadConfig({}).publicUrl, 'http://127.0.0.1:8080');
    assert.equal(loadConfig({ HOST: 'localhost', PORT: '9000' }).publicUrl, 'http://localhost:9000');
    assert.equal(loadConfig({ HOST: '0.0.0.0' }).publicUrl, 'http://127.0.0.1:8080');
    assert.equal(loadConfig({ HOST: '::' }).publicUrl, 'http://127.0.0.1:8080');
    assert.equal(loadConfig({ HOST: '::1' }).publicUrl, 'http://[::1]:8080');
    assert.equal(loadConfig({ OPENOM_PUBLIC_URL: 'https://sandbox.shop.example/openom/' }).publicUrl, 'https://sandbox.shop.example/openom');
    assert.equal(loadConfig({ OPENOM_TLS: 'self-signed', PORT: '8443' }).publicUrl, 'https://127.0.0.1:8443', 'https when OpenOM serves HTTPS itself');
  });

  it('OPENOM_PUSH_DELAY_SECONDS defaults to 120 and may be 0 to 172800 (48 hours)', () => {
    assert.equal(loadConfig({}).pushDelaySeconds, 120);
    assert.equal(loadConfig({ OPENOM_PUSH_DELAY_SECONDS: '0' }).pushDelaySeconds, 0);
    assert.equal(loadConfig({ OPENOM_PUSH_DELAY_SECONDS: '172800' }).pushDelaySeconds, 172_800);
  });

  const bad: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '65536' }],
    ['PORT', { PORT: '80.5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/openom' }],
    ['DATABASE_URL', { DATABASE_URL: 'sqlite:' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://[bad' }],
    ['DATABASE_URL', { DATABASE_URL: './data/openom.sqlite' }],
    ['OPENOM_ADMIN_TOKEN', { OPENOM_ADMIN_TOKEN: 'short' }],
    ['OPENOM_SANDBOX_USERNAME', { OPENOM_SANDBOX_USERNAME: 'has space' }],
    ['OPENOM_SANDBOX_PASSWORD', { OPENOM_SANDBOX_PASSWORD: 'short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['OPENOM_BODY_LIMIT_BYTES', { OPENOM_BODY_LIMIT_BYTES: 'lots' }],
    ['OPENOM_AUTH_FAILURE_LIMIT', { OPENOM_AUTH_FAILURE_LIMIT: '0' }],
    ['LOG_TIME', { LOG_TIME: 'local' }],
    ['OPENOM_TLS', { OPENOM_TLS: 'on' }],
    ['OPENOM_TLS', { OPENOM_TLS: 'self-signed', OPENOM_TLS_CERT: '/etc/cert.pem', OPENOM_TLS_KEY: '/etc/key.pem' }],
    ['OPENOM_TLS_KEY', { OPENOM_TLS_CERT: '/etc/cert.pem' }],
    ['OPENOM_TLS_CERT', { OPENOM_TLS_KEY: '/etc/key.pem' }],
    ['OPENOM_PUBLIC_URL', { OPENOM_PUBLIC_URL: 'openom.example:8080' }],
    ['OPENOM_PUBLIC_URL', { OPENOM_PUBLIC_URL: 'ftp://openom.example' }],
    ['OPENOM_PUBLIC_URL', { OPENOM_PUBLIC_URL: 'https://openom.example/?x=1' }],
    ['OPENOM_PUBLIC_URL', { OPENOM_PUBLIC_URL: 'https://user:pw@openom.example' }],
    ['OPENOM_PUSH_DELAY_SECONDS', { OPENOM_PUSH_DELAY_SECONDS: '172801' }],
    ['OPENOM_PUSH_DELAY_SECONDS', { OPENOM_PUSH_DELAY_SECONDS: '2m' }],
  ];
  for (const [name, env] of bad) {
    it(`rejects ${JSON.stringify(env)} with a ConfigError naming ${name}`, () => {
      const err = configErrorOf(env);
      assert.match(err.message, new RegExp(`\\b${name}\\b`));
      assert.doesNotMatch(err.message, /\n/);
    });
  }
});

describe('config: <NAME>_FILE', () => {
  it('reads OPENOM_ADMIN_TOKEN_FILE and DATABASE_URL_FILE, without the final line break', () => {
    const c = loadConfig({
      OPENOM_ADMIN_TOKEN_FILE: secretFile('admin-token', 'token-from-a-file-0123456\n'),
      DATABASE_URL_FILE: secretFile('database-url', 'postgres://openom:pw@postgres:5432/openom\r\n'),
    });
    assert.equal(c.adminToken, 'token-from-a-file-0123456');
    assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://openom:pw@postgres:5432/openom' });
  });

  it('works for any variable OpenOM reads, and the content is validated as the variable itself is', () => {
    assert.equal(loadConfig({ OPENOM_SANDBOX_PASSWORD_FILE: secretFile('sandbox', 'sandbox-secret\n') }).sandboxPassword, 'sandbox-secret');
    assert.equal(loadConfig({ PORT_FILE: secretFile('port', '9090') }).port, 9090);
    assert.match(configErrorOf({ OPENOM_ADMIN_TOKEN_FILE: secretFile('short-token', 'short\n') }).message, /OPENOM_ADMIN_TOKEN must be at least 16/);
  });

  it('both <NAME> and <NAME>_FILE, or a file that cannot be read: a ConfigError naming the variable, never the content', () => {
    const both = configErrorOf({ OPENOM_ADMIN_TOKEN: 'token-in-the-environment', OPENOM_ADMIN_TOKEN_FILE: secretFile('token2', 'token-in-a-file-0123456') });
    assert.match(both.message, /OPENOM_ADMIN_TOKEN and OPENOM_ADMIN_TOKEN_FILE are both set/);
    assert.doesNotMatch(both.message, /token-in/);
    const missing = configErrorOf({ DATABASE_URL_FILE: join(secretsDir, 'no-such-file') });
    assert.match(missing.message, /^DATABASE_URL_FILE: cannot read .*no-such-file \(ENOENT\)$/);
  });

  it('a process started with OPENOM_ADMIN_TOKEN_FILE and DATABASE_URL_FILE serves with them', async () => {
    const port = await freePort();
    const token = 'admin-token-from-a-secret-file';
    const server = spawnOpenOM({
      PORT: String(port),
      LOG_LEVEL: 'warn',
      OPENOM_ADMIN_TOKEN_FILE: secretFile('process-admin-token', `${token}\n`),
      DATABASE_URL_FILE: secretFile('process-database-url', `sqlite:${join(secretsDir, 'store', 'openom.sqlite')}\n`),
    });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/health/ready`, 200, 30_000, server);
      const res = await fetch(`http://127.0.0.1:${port}/admin/v1/merchants`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.ok(server.stdout().includes(`SQLite file ${join(secretsDir, 'store', 'openom.sqlite')}`), server.stdout());
      assert.doesNotMatch(server.stdout(), /admin token:/, 'a token from a file is not generated');
    } finally {
      await server.stop();
    }
  });
});

describe('config: the process', () => {
  it('PORT=abc stops the process with one line naming PORT and no stack trace', async () => {
    await assertStopsWithOneLine({ PORT: 'abc', DATABASE_URL: 'sqlite::memory:' }, 'PORT');
  });

  it('a bad DATABASE_URL stops the process the same way', async () => {
    await assertStopsWithOneLine({ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL');
  });
});
