// The first screen (stdout, for people, apart from the JSON log stream): where OpenOM serves,
// what it stores into, which certificate to trust, and the secrets generated on this start.
import { resolve } from 'node:path';
import type { StoreConfig } from './config.js';
import type { BootstrapResult } from './bootstrap.js';
import type { ServingTls } from './tls.js';

export interface BannerFacts {
  host: string;
  port: number;
  store: StoreConfig;
  tls: ServingTls | undefined;
  boot: BootstrapResult;
  /** The username came from OPENOM_SANDBOX_USERNAME. */
  usernameFromEnv: boolean;
}

/** The URL a client on this machine reaches the server at. */
export function baseUrl(host: string, port: number, https: boolean): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${https ? 'https' : 'http'}://${reachable}:${port}`;
}

export function describeStore(store: StoreConfig): string {
  if (store.kind === 'sqlite') return store.path === ':memory:' ? 'in-memory SQLite (nothing is kept after exit)' : `SQLite file ${resolve(store.path)}`;
  const url = new URL(store.url);
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres';
  return `PostgreSQL database "${database}" on ${url.hostname || 'localhost'}:${url.port || '5432'}${url.username ? ` as ${decodeURIComponent(url.username)}` : ''}`;
}

export function banner(f: BannerFacts): string {
  const url = baseUrl(f.host, f.port, f.tls !== undefined);
  const lines = [`OpenOM is ready at ${url}`, `  API docs:         ${url}/docs`, `  store:            ${describeStore(f.store)}`];
  if (f.tls?.selfSigned) lines.push(`  TLS certificate:  ${f.tls.certPath} (self-signed: trust it in clients, e.g. NODE_EXTRA_CA_CERTS=${f.tls.certPath})`);
  else if (f.tls) lines.push(`  TLS certificate:  ${f.tls.certPath}`);
  if (f.boot.sandboxMerchantId) lines.push(`  sandbox merchant: merchant_id ${f.boot.sandboxMerchantId}`);
  const g = f.boot.generated;
  const secrets: string[] = [];
  if (g.adminToken) secrets.push(`  admin token:      ${g.adminToken}`);
  // A username taken from the environment is only worth repeating next to a generated password;
  // with both from the environment nothing was generated and nothing is printed.
  if (g.sandboxUsername && (g.sandboxPassword || !f.usernameFromEnv)) secrets.push(`  sandbox username: ${g.sandboxUsername}`);
  if (g.sandboxPassword) secrets.push(`  sandbox password: ${g.sandboxPassword}`);
  if (secrets.length > 0) lines.push('These secrets were generated now and will not be shown again:', ...secrets);
  return `\n${lines.join('\n')}\n\n`;
}
