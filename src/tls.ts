// The certificate OpenOM serves HTTPS with (CONTRACT §9): the operator's PEM files, or one it
// makes once for local use (OPENOM_TLS=self-signed) and keeps beside the store.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { ConfigError, type StoreConfig, type TlsConfig } from './config.js';
import type { TlsMaterial } from './http/server.js';
import { makeOwnerOnlyFolder, OWNER_ONLY_FILE } from './store/files.js';

export interface ServingTls {
  material: TlsMaterial;
  /** Absolute path of the certificate, for the start-up banner (clients are told to trust it). */
  certPath: string;
  selfSigned: boolean;
}

/**
 * Names the self-signed certificate is valid for: this machine, and the Klarna and Kustom API
 * hosts, so that a client which hard-codes one of them can be pointed here with a hosts entry.
 */
export const SELF_SIGNED_NAMES = [
  'localhost',
  'api.kustom.co',
  'api.playground.kustom.co',
  'api.klarna.com',
  'api-na.klarna.com',
  'api-oc.klarna.com',
  'api.playground.klarna.com',
  'api-na.playground.klarna.com',
  'api-oc.playground.klarna.com',
];
const SELF_SIGNED_IPS = ['127.0.0.1', '::1'];
/** Apple's limit for TLS server certificates; renewed a week before it runs out. */
const VALIDITY_DAYS = 825;
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;
/** How long a second instance starting at the same moment waits for the first one's certificate. */
const WAIT_FOR_OTHER_MS = 10_000;

export async function loadTls(tls: TlsConfig, store: StoreConfig): Promise<ServingTls | undefined> {
  if (tls.kind === 'off') return undefined;
  if (tls.kind === 'files') {
    const material = { cert: readPem('OPENOM_TLS_CERT', tls.certPath), key: readPem('OPENOM_TLS_KEY', tls.keyPath) };
    checkPair(material, 'OPENOM_TLS_CERT / OPENOM_TLS_KEY');
    return { material, certPath: resolve(tls.certPath), selfSigned: false };
  }
  const dir = store.kind === 'sqlite' && store.path !== ':memory:' ? dirname(store.path) : './data';
  const certPath = resolve(dir, 'openom-self-signed-cert.pem');
  const keyPath = resolve(dir, 'openom-self-signed-key.pem');
  const material = await selfSignedPair(certPath, keyPath);
  checkPair(material, `OPENOM_TLS=self-signed (${certPath})`);
  return { material, certPath, selfSigned: true };
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function checkPair(material: TlsMaterial, what: string): void {
  try {
    createSecureContext(material);
  } catch (err) {
    throw new ConfigError(`${what}: not a PEM certificate with its private key (${(err as Error).message})`);
  }
}

/**
 * A kept certificate is made anew when it is about to expire, or when it is a CA: OpenOM made its
 * certificates as CAs before, and a CA's key could vouch for any host (CONTRACT §9). Clients that
 * trusted the old one are told the path of the new one on every start.
 */
function needsRenewal(cert: Buffer, now: number): boolean {
  const x509 = new X509Certificate(cert);
  return x509.ca || new Date(x509.validTo).getTime() - now < RENEW_BEFORE_MS;
}

/** The kept pair, or a new one when there is none or it is about to expire. */
async function selfSignedPair(certPath: string, keyPath: string): Promise<TlsMaterial> {
  try {
    makeOwnerOnlyFolder(dirname(certPath));
    if (existsSync(certPath) && existsSync(keyPath)) {
      const kept = { cert: readFileSync(certPath), key: readFileSync(keyPath) };
      if (!needsRenewal(kept.cert, Date.now())) return kept;
      // Moved aside, not deleted: another instance renewing at the same moment may have moved it first.
      try {
        renameSync(keyPath, `${keyPath}.expired`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return await createOrWaitForPair(certPath, keyPath);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`OPENOM_TLS=self-signed: cannot keep a certificate in ${dirname(certPath)} (${(err as Error).message})`);
  }
}

/**
 * Instances that start together on one data folder must end up with one pair: the one that
 * creates the key file (exclusively) makes the certificate; the others wait for it.
 */
async function createOrWaitForPair(certPath: string, keyPath: string): Promise<TlsMaterial> {
  let keyFile: number;
  try {
    keyFile = openSync(keyPath, 'wx', OWNER_ONLY_FILE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    for (const deadline = Date.now() + WAIT_FOR_OTHER_MS; Date.now() < deadline; ) {
      if (existsSync(certPath) && !needsRenewal(readFileSync(certPath), Date.now())) return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new ConfigError(`OPENOM_TLS=self-signed: ${keyPath} exists without a valid ${certPath}; delete both to make a new pair`);
  }
  const material = await makeSelfSigned(new Date());
  try {
    writeSync(keyFile, material.key);
  } finally {
    closeSync(keyFile);
  }
  // Written under another name and renamed, so a waiting instance never reads half a file.
  const partial = join(dirname(certPath), `.${randomBytes(6).toString('hex')}.partial`);
  writeFileSync(partial, material.cert, { mode: OWNER_ONLY_FILE });
  renameSync(partial, certPath);
  return material;
}

/** An RSA key (made by Node) and a certificate for it, signed by itself, made with node-forge. */
export async function makeSelfSigned(now: Date): Promise<TlsMaterial> {
  // Loaded only here: most starts never make a certificate, and the bundle leaves it out.
  const { pki, md } = (await import('node-forge')).default;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(publicKey);
  // Positive, 16 random bytes: unique enough that a client never sees two certificates with one serial.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(now.getTime() - 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + VALIDITY_DAYS * 24 * 3600 * 1000);
  const name = [
    { name: 'commonName', value: 'OpenOM local sandbox' },
    { name: 'organizationName', value: 'OpenOM (self-signed, not for production)' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  // A leaf, not a CA: trusted by a client (NODE_EXTRA_CA_CERTS and the like) as itself, its key
  // can vouch for no other certificate, so a copy of it cannot impersonate other hosts.
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...SELF_SIGNED_NAMES.map((value) => ({ type: 2, value })), ...SELF_SIGNED_IPS.map((ip) => ({ type: 7, ip }))] },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pki.privateKeyFromPem(privateKey), md.sha256.create());
  return { cert: Buffer.from(pki.certificateToPem(cert)), key: Buffer.from(privateKey) };
}
