// Starts OpenOM: config → store → HTTP server listening at once → migrations and bootstrap
// (readiness flips when done) → graceful shutdown on SIGTERM/SIGINT.
import pino from 'pino';
import { buildApp } from './app.js';
import { bootstrap } from './bootstrap.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { serveMetrics } from './http/metrics.js';
import { openStore } from './store/dialect.js';
import { migrate } from './store/migrations.js';
import { startWorker, type Worker } from './worker/worker.js';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`openom: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = configOrExit();
  const log = pino({ level: config.logLevel, base: { service: 'openom' }, redact: ['req.headers.authorization'] });
  const store = openStore(config.store, {
    merchantClocks: config.mode === 'sandbox',
    pgPoolSize: config.pgPoolSize,
    pgStatementTimeoutMs: config.pgStatementTimeoutMs,
    orderQueueLimit: config.orderQueueLimit,
    onPoolError: (err) => log.warn({ err: err.message }, 'database connection lost'),
  });
  const readiness = { migrated: false };
  let adminTokenDigest: Buffer | undefined;
  let worker: Worker | undefined;
  const app = await buildApp({ config, store, readiness, adminTokenDigest: () => adminTokenDigest, logger: log });

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
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    process.stderr.write(`openom: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (config.metricsPort !== undefined) {
    try {
      const metricsServer = await serveMetrics(app.metrics, config.host, config.metricsPort);
      metricsServer.unref();
    } catch (err) {
      process.stderr.write(`openom: cannot serve metrics on ${config.host}:${config.metricsPort} (OPENOM_METRICS_PORT): ${(err as Error).message}\n`);
      process.exit(1);
    }
  }

  // The store may come up after us (containers start in any order): keep trying, stay "not ready".
  for (let attempt = 1; !shuttingDown; attempt++) {
    try {
      const applied = await migrate(store);
      const boot = await bootstrap(store, config);
      adminTokenDigest = boot.adminTokenDigest;
      readiness.migrated = true;
      if (config.workerConcurrency > 0 && !shuttingDown) worker = startWorker(store, { concurrency: config.workerConcurrency, log });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      log.info({ migrations_applied: applied, store: config.store.kind, port, startup_ms: Math.round(performance.now() - startedAt) }, 'OpenOM ready');
      printGeneratedSecrets(boot.generated, config.sandboxUsername !== undefined, config.host, port);
      return;
    } catch (err) {
      log.warn({ attempt, err: (err as Error).message }, 'store not ready; retrying');
      await sleep(Math.min(5000, 250 * attempt));
    }
  }
}

/** Generated secrets are shown once, on the console, apart from the JSON log stream. */
function printGeneratedSecrets(
  g: { adminToken?: string; sandboxUsername?: string; sandboxPassword?: string },
  usernameFromEnv: boolean,
  host: string,
  port: number,
) {
  const lines: string[] = [];
  if (g.adminToken) lines.push(`  admin token:      ${g.adminToken}`);
  // A username taken from the environment is only worth repeating next to a generated password;
  // with both from the environment nothing was generated and nothing is printed.
  if (g.sandboxUsername && (g.sandboxPassword || !usernameFromEnv)) lines.push(`  sandbox username: ${g.sandboxUsername}`);
  if (g.sandboxPassword) lines.push(`  sandbox password: ${g.sandboxPassword}`);
  if (lines.length === 0) return;
  process.stdout.write(
    `\nOpenOM is listening on http://${host}:${port}\n` +
      `These secrets were generated now and will not be shown again:\n${lines.join('\n')}\n\n`,
  );
}

void main();
