// Files and secrets (CONTRACT §9, issue 24 §6): what OpenOM makes on disk is its own user's only,
// and the self-signed certificate is a leaf: trusted as itself, its key vouches for no other host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import forge from 'node-forge';
import { openStore } from '../../src/store/dialect.js';
import { insertMerchant } from '../../src/store/merchants.js';
import { migrate } from '../../src/store/migrations.js';
import { loadTls, makeSelfSigned } from '../../src/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'openom-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The permission bits of a path, as `ls -l` shows them in octal. */
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(3, '0');

describe('files OpenOM makes are readable by its own user only', () => {
  it('the SQLite store, its -wal and -shm files and the folders made for it: 0600 and 0700', async () => {
    const folder = join(dir, 'made', 'for', 'the-store');
    const path = join(folder, 'openom.sqlite');
    const store = openStore({ kind: 'sqlite', path });
    try {
      await migrate(store);
      await insertMerchant(store, { merchant_id: 'm-1', name: 'Shop', username: 'shop', password_hash: 'x', created_at: new Date().toISOString() });
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file), '600', file);
      for (const made of [join(dir, 'made'), join(dir, 'made', 'for'), folder]) assert.equal(modeOf(made), '700', made);
    } finally {
      await store.close();
    }
  });

  it('the self-signed key and certificate, and their folder: 0600 and 0700', async () => {
    const folder = join(dir, 'tls-data');
    const served = await loadTls({ kind: 'self-signed' }, { kind: 'sqlite', path: join(folder, 'openom.sqlite') });
    assert.ok(served);
    assert.equal(modeOf(folder), '700');
    assert.equal(modeOf(served.certPath), '600');
    assert.equal(modeOf(join(folder, 'openom-self-signed-key.pem')), '600');
  });
});

/** A certificate for `host`, signed with `issuerKeyPem` as if `issuerCertPem` had issued it. */
function certificateSignedBy(issuerCertPem: Buffer, issuerKeyPem: Buffer, host: string): { cert: string; key: string } {
  const { pki, md } = forge;
  const keys = pki.rsa.generateKeyPair(2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: host }]);
  cert.setIssuer(pki.certificateFromPem(issuerCertPem.toString()).subject.attributes);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: host }] }]);
  cert.sign(pki.privateKeyFromPem(issuerKeyPem.toString()), md.sha256.create());
  return { cert: pki.certificateToPem(cert), key: pki.privateKeyToPem(keys.privateKey) };
}

/** Connects to 127.0.0.1:port as `servername`, trusting only `ca`: 'trusted', or the TLS error code. */
function connectTrusting(port: number, servername: string, ca: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, servername, ca, path: '/', agent: false }, (res) => {
      res.resume();
      resolve('trusted');
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe('the self-signed certificate is a leaf', () => {
  it('is no CA and may not sign certificates: one its key signs for another host is refused by a client that trusts it', async () => {
    const pair = await makeSelfSigned(new Date());
    const x509 = new X509Certificate(pair.cert);
    assert.equal(x509.ca, false);
    const forged = certificateSignedBy(pair.cert, pair.key, 'bank.example');
    const server = createServer({ cert: forged.cert, key: forged.key }, (_req, res) => res.end('forged')).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      const outcome = await connectTrusting(port, 'bank.example', pair.cert);
      assert.notEqual(outcome, 'trusted', 'a client trusting the OpenOM certificate accepted a certificate its key signed for another host');
    } finally {
      server.close();
    }
  });

  it('a client that trusts it (as NODE_EXTRA_CA_CERTS makes Node do) accepts it for localhost', async () => {
    const pair = await makeSelfSigned(new Date());
    const server = createServer(pair, (_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      assert.equal(await connectTrusting((server.address() as { port: number }).port, 'localhost', pair.cert), 'trusted');
    } finally {
      server.close();
    }
  });

  it('a kept certificate that is a CA (made by an earlier OpenOM) is made anew as a leaf at start', async () => {
    const folder = join(dir, 'old-ca');
    const certPath = join(folder, 'openom-self-signed-cert.pem');
    const keyPath = join(folder, 'openom-self-signed-key.pem');
    mkdirSync(folder);
    // `openssl req -x509` makes a CA certificate, as OpenOM did before.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=localhost', '-keyout', keyPath, '-out', certPath], { stdio: 'pipe' });
    const old = readFileSync(certPath);
    assert.equal(new X509Certificate(old).ca, true);
    const served = await loadTls({ kind: 'self-signed' }, { kind: 'sqlite', path: join(folder, 'openom.sqlite') });
    assert.ok(served);
    assert.ok(!served.material.cert.equals(old), 'the CA certificate was kept');
    assert.equal(new X509Certificate(readFileSync(certPath)).ca, false);
  });
});
