// Starts OpenOM: config → store → HTTP server listening at once → migrations and bootstrap
// (readiness flips when done) → graceful shutdown on SIGTERM/SIGINT.
import pino from 'pino';
import { buildApp } from './app.js';
import { banner } from './banner.js';
import { bootstrap } from './bootstrap.js';
import { ConfigError, loadConfig, redactDatabaseSecrets, storeForDisplay, type Config } from './config.js';
import { serveMetrics } from './http/metrics.js';
import type { Readiness } from './http/routes/health.js';
import { isUnfixableConnectError, openStore, type Store, type StoreOptions } from './store/dialect.js';
import { migrate } from './store/migrations.js';
import { startWorker, type Worker } from './worker/worker.js';
import { loadTls, type ServingTls } from './tls.js';
import { validatorFactoryBeside } from './http/precompiledValidators.js';
import { loadStartupFixtures } from './fixtures/startup.js';
import { prettyDestination } from './logFormat.js';

/** One line naming what to fix, then exit: the way every start-up mistake ends. */
function exitWith(message: string, code: number): never {
  process.stderr.write(`openom: ${message}\n`);
  process.exit(code);
}

async function configOrExit(): Promise<{ config: Config; tls: ServingTls | undefined }> {
  try {
    const config = loadConfig();
    return { config, tls: await loadTls(config.tls, config.store) };
  } catch (err) {
    if (err instanceof ConfigError) exitWith(`configuration error: ${err.message}`, 2);
    throw err;
  }
}

function storeOrExit(config: Config, options: StoreOptions): Store {
  try {
    return openStore(config.store, options);
  } catch (err) {
    // A SQLite file that cannot be created or opened (permissions, a directory in the way).
    return exitWith(`cannot open DATABASE_URL ${storeForDisplay(config.store)}: ${redactDatabaseSecrets((err as Error).message, config.store)}`, 2);
  }
}

function storeOptions(config: Config, log: pino.Logger): StoreOptions {
  return {
    merchantClocks: config.mode === 'sandbox',
    pgPoolSize: config.pgPoolSize,
    pgStatementTimeoutMs: config.pgStatementTimeoutMs,
    orderQueueLimit: config.orderQueueLimit,
    readReplicaUrl: config.readReplicaUrl,
    readReplicaFreshMs: config.readReplicaFreshMs,
    sqliteCacheMb: config.sqliteCacheMb,
    onPoolError: (err) => log.warn({ err: redactDatabaseSecrets(err.message, config.store) }, 'database connection lost'),
  };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const { config, tls } = await configOrExit();
  const log = pino(
    {
      level: config.logLevel,
      base: { service: 'openom' },
      redact: ['req.headers.authorization'],
      ...(config.logTime === 'iso' ? { timestamp: pino.stdTimeFunctions.isoTime } : {}),
    },
    config.logFormat === 'pretty' ? prettyDestination(process.stdout) : undefined,
  );
  const store = storeOrExit(config, storeOptions(config, log));
  const readiness: Readiness = { migrated: false };
  let adminTokenDigest: Buffer | undefined;
  let worker: Worker | undefined;
  // The build writes dist/validators.mjs beside dist/openom.mjs; run from source, there is none.
  const buildValidator = await validatorFactoryBeside(import.meta.url);
  const app = await buildApp({ config, store, readiness, adminTokenDigest: () => adminTokenDigest, logger: log, buildValidator, ...(tls ? { tls: tls.material } : {}) });

  let shuttingDown = false;
  // While draining, every response (requests in flight, and any that still arrive on an open
  // keep-alive connection) is served in full and ends its connection. Set before Fastify's own
  // listener runs, so even an immediate response carries it.
  app.server.prependListener('request', (_req, res) => {
    if (shuttingDown) res.setHeader('connection', 'close');
  });
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      // Stop accepting connections and close idle ones; resolves once every connection has ended,
      // i.e. every request in flight got its response. Only then does Fastify close: its closing
      // state would answer late requests with a non-Klarna 503 body.
      // A connection whose request began before the signal stays keep-alive after its response:
      // keep closing idle connections until none is left.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
      // The worker stops leasing at once and its attempts in flight finish alongside the requests,
      // leaving a margin of the shutdown timeout to close the store.
      const workerStopped = worker?.stop(Math.max(0, config.shutdownTimeoutMs - 1_000));
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      clearInterval(reaper);
      await workerStopped;
      await app.close();
      await store.close();
      log.info('shutdown complete');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen({
      host: config.host,
      port: config.port,
      // Fastify names the scheme from its own https option, which a serverFactory leaves unset.
      listenTextResolver: (address) => `Server listening at ${tls ? address.replace(/^http:/, 'https:') : address}`,
    });
  } catch (err) {
    exitWith(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`, 1);
  }
  if (config.metrics && config.metricsPort !== undefined) {
    try {
      const metricsServer = await serveMetrics(app.metrics, config.host, config.metricsPort);
      metricsServer.unref();
    } catch (err) {
      exitWith(`cannot serve metrics on ${config.host}:${config.metricsPort} (OPENOM_METRICS_PORT): ${(err as Error).message}`, 1);
    }
  }

  // The store may come up after us (containers start in any order): keep trying, stay "not ready".
  for (let attempt = 1; !shuttingDown; attempt++) {
    try {
      const applied = await migrate(store);
      const boot = await bootstrap(store, config);
      adminTokenDigest = boot.adminTokenDigest;
      if (boot.sandboxCredentialsApplied.length > 0) {
        log.info({ merchant_id: boot.sandboxMerchantId, applied: boot.sandboxCredentialsApplied }, 'sandbox merchant credentials set from the environment');
      }
      if (config.mode === 'production' && (config.sandboxUsername !== undefined || config.sandboxPassword !== undefined)) {
        log.warn('OPENOM_SANDBOX_USERNAME / OPENOM_SANDBOX_PASSWORD are ignored in production mode: create merchants with the admin API or `openom merchants create`');
      }
      readiness.migrated = true;
      if (config.fixturesPath !== undefined) await loadStartupFixtures(app, store, config, config.fixturesPath, readiness, log);
      if (config.workerConcurrency > 0 && !shuttingDown) worker = startWorker(store, { concurrency: config.workerConcurrency, log, retentionDays: config.retentionDays });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      log.info({ migrations_applied: applied, store: config.store.kind, port, startup_ms: Math.round(performance.now() - startedAt) }, 'OpenOM ready');
      process.stdout.write(banner({ host: config.host, port, store: config.store, tls, boot, usernameFromEnv: config.sandboxUsername !== undefined }));
      return;
    } catch (err) {
      if (err instanceof ConfigError) exitWith(`configuration error: ${err.message}`, 2);
      if (isUnfixableConnectError(err)) {
        const code = (err as { code: string }).code;
        exitWith(`DATABASE_URL ${storeForDisplay(config.store)} is refused: ${redactDatabaseSecrets((err as Error).message, config.store)} (${code}); retrying cannot fix this`, 2);
      }
      log.warn({ attempt, err: redactDatabaseSecrets((err as Error).message, config.store) }, 'store not ready; retrying');
      await sleep(Math.min(5000, 250 * attempt));
    }
  }
}

void main();
