// Environment → typed configuration, validated once at start (CONTRACT §1).
// A bad value throws ConfigError whose message names the variable; main.ts prints it as one line.
import { readFileSync } from 'node:fs';
import type { ApiProfile } from './domain/decisions.js';
import { LAST_PUSH_SECONDS } from './domain/pushSchedule.js';

export type StoreConfig =
  | { kind: 'sqlite'; path: string } // path ':memory:' for in-memory
  | { kind: 'postgres'; url: string };

/** sandbox: merchant clocks and test helpers (CONTRACT §5); production: real time, no /sandbox. */
export type Mode = 'sandbox' | 'production';

/** CONTRACT §9: HTTPS with the operator's PEM files, or with a certificate OpenOM makes once. */
export type TlsConfig = { kind: 'off' } | { kind: 'files'; certPath: string; keyPath: string } | { kind: 'self-signed' };

export interface Config {
  mode: Mode;
  /** Whose rules apply where Kustom and Klarna differ (CONTRACT §8). */
  profile: ApiProfile;
  host: string;
  port: number;
  /** Where shoppers' browsers reach this server: the hosted test checkout's address (CONTRACT §6). */
  publicUrl: string;
  /** Seconds from a checkout purchase to its first push (CONTRACT §7). */
  pushDelaySeconds: number;
  store: StoreConfig;
  tls: TlsConfig;
  adminToken: string | undefined;
  sandboxUsername: string | undefined;
  sandboxPassword: string | undefined;
  logLevel: string;
  /** pino's default epoch milliseconds, or ISO 8601 text. */
  logTime: 'epoch' | 'iso';
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  pgPoolSize: number;
  pgStatementTimeoutMs: number;
  /** Most requests for one order that may wait in one instance before more are refused with 503. */
  orderQueueLimit: number;
  authCacheTtlMs: number;
  authCacheMaxEntries: number;
  authFailureLimit: number;
  authFailureWindowMs: number;
  /** Off: no /metrics and no per-request accounting (what the bench compares against). */
  metrics: boolean;
  /** Serve /metrics on this port without auth instead of on the API port with the admin token. */
  metricsPort: number | undefined;
  /** Job attempts (webhooks, notifications, expiry…) this instance runs at once; 0 runs none here. */
  workerConcurrency: number;
  /** Proxies in front whose X-Forwarded-For is believed: the client address failed logins are counted by. */
  trustProxyHops: number;
  /** DATABASE_READ_URL: a PostgreSQL replica for reads that may lag (src/store/readReplica.ts). */
  readReplicaUrl: string | undefined;
  /** How long after this instance changed an order its reads stay on the primary. */
  readReplicaFreshMs: number;
  /** SQLite's page cache per connection (better-sqlite3 builds SQLite with 16 MB). */
  sqliteCacheMb: number;
  /** Finished jobs and their attempts older than this many days are pruned by the worker (CONTRACT §9). */
  retentionDays: number;
  /** OPENOM_FIXTURES: a fixtures file loaded at start, sandbox mode only (CONTRACT §15). */
  fixturesPath: string | undefined;
  /** LOG_FORMAT: JSON lines for machines (default), or readable lines for people (CONTRACT §15). */
  logFormat: 'json' | 'pretty';
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function optionalString(env: Env, name: string, minLength = 1): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < minLength) throw new ConfigError(`${name} must be at least ${minLength} characters long`);
  return raw;
}

export function parseStoreUrl(raw: string | undefined): StoreConfig {
  if (raw === undefined || raw === '') return { kind: 'sqlite', path: './data/openom.sqlite' };
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid PostgreSQL URL');
    }
    return { kind: 'postgres', url: raw };
  }
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length);
    if (path === '') throw new ConfigError('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:./data/openom.sqlite or sqlite::memory:');
    return { kind: 'sqlite', path: path === ':memory:' ? ':memory:' : path };
  }
  throw new ConfigError('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
}

/** Query parameters of a PostgreSQL URL that carry a secret (pg reads `password` there, and libpq `sslpassword`). */
const SECRET_PARAM = /pass|secret|token/i;

/**
 * The one way a DATABASE_URL is shown (start-up errors, `openom ledger check`, logs): without the
 * password in its user info and with the value of every secret query parameter masked.
 * "postgres://user:pw@host/db?password=pw" → "postgres://user@host/db?password=***".
 */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***');
  return parsed.toString();
}

/** Text from a driver or the system (an error message) with every secret the URL carries masked, should it quote one. */
export function redactDatabaseSecrets(text: string, store: StoreConfig): string {
  if (store.kind !== 'postgres') return text;
  let parsed: URL;
  try {
    parsed = new URL(store.url);
  } catch {
    return text;
  }
  const secrets = [parsed.password, ...[...parsed.searchParams].filter(([name]) => SECRET_PARAM.test(name)).map(([, value]) => value)]
    .flatMap((secret) => [secret, safeDecode(secret)])
    .filter((secret) => secret.length > 0);
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text.split(store.url).join(redactDatabaseUrl(store.url)));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The store as the start-up errors and the ledger check name it. */
export function storeForDisplay(store: StoreConfig): string {
  return store.kind === 'postgres' ? redactDatabaseUrl(store.url) : `sqlite:${store.path}`;
}

export function parseTls(env: Env): TlsConfig {
  const mode = optionalString(env, 'OPENOM_TLS');
  const certPath = optionalString(env, 'OPENOM_TLS_CERT');
  const keyPath = optionalString(env, 'OPENOM_TLS_KEY');
  if (mode !== undefined) {
    if (mode !== 'self-signed') throw new ConfigError(`OPENOM_TLS must be "self-signed" (or unset), got "${mode}"`);
    if (certPath !== undefined || keyPath !== undefined) throw new ConfigError('OPENOM_TLS=self-signed cannot be combined with OPENOM_TLS_CERT / OPENOM_TLS_KEY');
    return { kind: 'self-signed' };
  }
  if (certPath === undefined && keyPath === undefined) return { kind: 'off' };
  if (keyPath === undefined) throw new ConfigError('OPENOM_TLS_KEY must be set too when OPENOM_TLS_CERT is set');
  if (certPath === undefined) throw new ConfigError('OPENOM_TLS_CERT must be set too when OPENOM_TLS_KEY is set');
  return { kind: 'files', certPath, keyPath };
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * OPENOM_PUBLIC_URL, or HOST:PORT (127.0.0.1 for a wildcard HOST) over http, or https when OpenOM
 * serves HTTPS itself; without a trailing slash.
 */
function publicUrl(env: Env, host: string, port: number, tls: TlsConfig): string {
  const raw = env.OPENOM_PUBLIC_URL;
  if (raw === undefined || raw === '') {
    const reachable = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    return `${tls.kind === 'off' ? 'http' : 'https'}://${reachable}:${port}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`OPENOM_PUBLIC_URL must be an absolute http or https URL, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(`OPENOM_PUBLIC_URL must be an http or https URL without query, fragment or credentials, got "${raw}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** Variables OpenOM reads; each may instead be given as the content of a file named by <NAME>_FILE. */
const FILE_VARIABLE = /^((?:OPENOM|LOG)_[A-Z0-9_]+|DATABASE_URL|DATABASE_READ_URL|HOST|PORT)_FILE$/;

/**
 * The environment with every `<NAME>_FILE` (a Docker or Kubernetes secret, say) read into `<NAME>`,
 * one trailing line break dropped, so that a secret need not sit in the environment or in
 * compose.yaml. Setting both is a mistake, as is a file that cannot be read: either names the
 * variable, never the content.
 */
export function withFileVariables(env: Env): Env {
  const out: Env = { ...env };
  for (const [fileVariable, path] of Object.entries(env)) {
    const name = FILE_VARIABLE.exec(fileVariable)?.[1];
    if (!name || path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') throw new ConfigError(`${name} and ${fileVariable} are both set: set one of them`);
    try {
      out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(`${fileVariable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return out;
}

export function loadConfig(rawEnv: Env = process.env): Config {
  const env = withFileVariables(rawEnv);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const sandboxUsername = optionalString(env, 'OPENOM_SANDBOX_USERNAME');
  if (sandboxUsername !== undefined && !/^[A-Za-z0-9_.@-]{1,100}$/.test(sandboxUsername)) {
    throw new ConfigError('OPENOM_SANDBOX_USERNAME may only contain letters, digits and _ . @ - (at most 100)');
  }
  const logTime = env.LOG_TIME || 'epoch';
  if (logTime !== 'epoch' && logTime !== 'iso') throw new ConfigError(`LOG_TIME must be epoch or iso, got "${logTime}"`);
  const host = env.HOST || '127.0.0.1';
  const port = intVar(env, 'PORT', 8080, 0, 65535);
  const tls = parseTls(env);
  return {
    mode: oneOf(env, 'OPENOM_MODE', ['sandbox', 'production'] as const, 'sandbox'),
    profile: oneOf(env, 'OPENOM_PROFILE', ['kustom', 'klarna'] as const, 'kustom'),
    host,
    port,
    publicUrl: publicUrl(env, host, port, tls),
    pushDelaySeconds: intVar(env, 'OPENOM_PUSH_DELAY_SECONDS', 120, 0, LAST_PUSH_SECONDS),
    store: parseStoreUrl(env.DATABASE_URL),
    tls,
    adminToken: optionalString(env, 'OPENOM_ADMIN_TOKEN', 16),
    sandboxUsername,
    sandboxPassword: optionalString(env, 'OPENOM_SANDBOX_PASSWORD', 8),
    logLevel,
    logTime,
    bodyLimitBytes: intVar(env, 'OPENOM_BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    requestTimeoutMs: intVar(env, 'OPENOM_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    shutdownTimeoutMs: intVar(env, 'OPENOM_SHUTDOWN_TIMEOUT_MS', 8_000, 100, 600_000),
    pgPoolSize: intVar(env, 'OPENOM_PG_POOL_SIZE', 10, 1, 1000),
    pgStatementTimeoutMs: intVar(env, 'OPENOM_PG_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000),
    orderQueueLimit: intVar(env, 'OPENOM_ORDER_QUEUE_LIMIT', 1000, 1, 1_000_000),
    authCacheTtlMs: intVar(env, 'OPENOM_AUTH_CACHE_TTL_MS', 60_000, 0, 3_600_000),
    authCacheMaxEntries: intVar(env, 'OPENOM_AUTH_CACHE_MAX_ENTRIES', 10_000, 0, 10_000_000),
    authFailureLimit: intVar(env, 'OPENOM_AUTH_FAILURE_LIMIT', 20, 1, 1_000_000),
    authFailureWindowMs: intVar(env, 'OPENOM_AUTH_FAILURE_WINDOW_MS', 60_000, 1000, 3_600_000),
    metrics: oneOf(env, 'OPENOM_METRICS', ['on', 'off'] as const, 'on') === 'on',
    metricsPort: env.OPENOM_METRICS_PORT ? intVar(env, 'OPENOM_METRICS_PORT', 0, 1, 65535) : undefined,
    workerConcurrency: intVar(env, 'OPENOM_WORKER_CONCURRENCY', 16, 0, 1000),
    trustProxyHops: intVar(env, 'OPENOM_TRUST_PROXY_HOPS', 0, 0, 10),
    readReplicaUrl: readReplicaUrl(env),
    readReplicaFreshMs: intVar(env, 'OPENOM_READ_REPLICA_FRESH_MS', 5_000, 0, 3_600_000),
    sqliteCacheMb: intVar(env, 'OPENOM_SQLITE_CACHE_MB', 8, 1, 65_536),
    retentionDays: intVar(env, 'OPENOM_RETENTION_DAYS', 30, 1, 36_500),
    fixturesPath: optionalString(env, 'OPENOM_FIXTURES'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
  };
}

/** DATABASE_READ_URL: a PostgreSQL URL, beside a PostgreSQL DATABASE_URL (SQLite has no replicas). */
function readReplicaUrl(env: Env): string | undefined {
  const raw = optionalString(env, 'DATABASE_READ_URL');
  if (raw === undefined) return undefined;
  if (parseStoreUrl(env.DATABASE_URL).kind !== 'postgres') throw new ConfigError('DATABASE_READ_URL needs a PostgreSQL DATABASE_URL (it names a replica of that database)');
  const parsed = (() => {
    try {
      return parseStoreUrl(raw);
    } catch {
      return undefined;
    }
  })();
  if (parsed?.kind !== 'postgres') throw new ConfigError('DATABASE_READ_URL must be a postgres:// or postgresql:// URL');
  return raw;
}
