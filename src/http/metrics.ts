// Prometheus metrics (CONTRACT §9): requests by route template and status with latency histograms,
// commands by operation and outcome, idempotent replays, the store's pool, and the outbox's
// pending and failed work. One registry per app, so tests can run several apps in one process.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/dialect.js';
import { jobCounts } from '../store/jobs.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

export interface Metrics {
  registry: Registry;
  /** A command ran: applied, refused (with its error code), or answered from an idempotency record. */
  command(operation: string, outcome: 'applied' | 'refused' | 'replayed', errorCode?: string): void;
}

/** OPENOM_METRICS=off: nothing is counted and nothing is served. */
export const noMetrics: Metrics = { registry: new Registry(), command: () => undefined };

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'openom' });
  const commands = new Counter({
    name: 'openom_commands_total',
    help: 'Order commands run, by operation and outcome (applied, refused); code is the refusal error_code',
    labelNames: ['operation', 'outcome', 'code'] as const,
    registers: [registry],
  });
  const replays = new Counter({
    name: 'openom_idempotent_replays_total',
    help: 'Requests answered from a stored Klarna-Idempotency-Key response instead of running again',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'openom_store_connections',
    help: 'Store connections of this instance by state (PostgreSQL pool: total, idle, waiting requests; SQLite: queued write commands)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [state, value] of Object.entries(store.stats())) this.set({ state }, value);
    },
  });
  new Gauge({
    name: 'openom_jobs',
    help: 'Outbox jobs (webhooks, notifications, pushes, timers) that are pending or failed for good (dead), by kind',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      const counts = await jobCounts(store);
      this.reset();
      for (const c of counts) this.set({ kind: c.kind, state: c.state }, c.count);
    },
  });
  return {
    registry,
    command(operation, outcome, errorCode) {
      if (outcome === 'replayed') replays.inc({ operation });
      else commands.inc({ operation, outcome, code: errorCode ?? '' });
    },
  };
}

/** Route templates, never raw paths, so ids do not become label values. */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** Counts every request and times it, once its response is sent. */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  const requests = new Counter({
    name: 'openom_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [metrics.registry],
  });
  const latency = new Histogram({
    name: 'openom_http_request_duration_seconds',
    help: 'Time from request to response by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metrics.registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: routeLabel(request), status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}

/** GET /metrics on the API port, behind the admin token (app.ts). */
export const metricsRoute: FastifyPluginAsync = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['Admin'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (here only when OPENOM_METRICS_PORT is unset)',
        produces: ['text/plain'],
        response: { 200: { type: 'string', description: 'Prometheus text exposition format 0.0.4' } },
      },
    },
    async (_request, reply) => reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics()),
  );
};

/** GET /metrics on its own port (OPENOM_METRICS_PORT), for a Prometheus on the private network: no auth. */
export function serveMetrics(metrics: Metrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      () => res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
