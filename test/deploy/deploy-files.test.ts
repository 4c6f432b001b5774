// The container files (Dockerfile, compose.yaml, deploy/) agree with each other and with OpenOM.
// No Docker engine runs here, so their structure is checked, and the health-check script runs
// for real against a real OpenOM process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { cleanEnv, freePort, REPO_ROOT, spawnOpenOM, waitForStatus } from '../support/process.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const openomServices = Object.keys(services).filter((name) => services[name]!.image === 'openom:local');

/** compose's ${VAR:?message} and ${VAR:-default}, with a value for every variable. */
const interpolate = (value: string) => value.replace(/\$\{(\w+)(:[?-][^}]*)?\}/g, (_m, name: string) => `test-value-for-${name.toLowerCase()}`);

describe('compose.yaml', () => {
  it('runs PostgreSQL, two OpenOM instances, a proxy and Prometheus', () => {
    assert.deepEqual(openomServices, ['openom-1', 'openom-2']);
    for (const name of ['postgres', 'proxy', 'prometheus']) assert.ok(services[name], `no ${name} service`);
  });

  it('starts OpenOM once PostgreSQL is healthy, and the proxy once both instances are', () => {
    assert.match(services.postgres!.healthcheck!.test.join(' '), /pg_isready/);
    for (const name of openomServices) assert.deepEqual(services[name]!.depends_on, { postgres: { condition: 'service_healthy' } });
    const proxyDeps = services.proxy!.depends_on as Record<string, { condition: string }>;
    for (const name of openomServices) assert.equal(proxyDeps[name]?.condition, 'service_healthy');
  });

  it('gives each instance a configuration OpenOM accepts, on the compose PostgreSQL database', () => {
    const pg = services.postgres!.environment!;
    for (const name of openomServices) {
      const env = Object.fromEntries(Object.entries(services[name]!.environment!).map(([k, v]) => [k, interpolate(String(v))]));
      const config = loadConfig(env);
      assert.equal(config.store.kind, 'postgres');
      const url = new URL(config.store.kind === 'postgres' ? config.store.url : '');
      assert.equal(url.hostname, 'postgres');
      assert.equal(url.pathname, `/${pg.POSTGRES_DB}`);
      assert.equal(url.username, pg.POSTGRES_USER);
      assert.equal(url.password, interpolate(pg.POSTGRES_PASSWORD!));
      assert.equal(env.OPENOM_METRICS_PORT, '9464');
      assert.equal(config.metricsPort, 9464);
      assert.equal(config.mode, 'production');
      assert.ok(config.adminToken, 'the admin token must be set, not generated per instance');
    }
  });

  it('has Prometheus scrape every instance on its metrics port, and nginx balance over every instance', () => {
    const prometheus = parse(read('deploy/prometheus.yml')) as { scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[] };
    const job = prometheus.scrape_configs[0]!;
    assert.equal(job.metrics_path, '/metrics');
    assert.deepEqual(job.static_configs.flatMap((s) => s.targets).sort(), openomServices.map((name) => `${name}:9464`));
    const upstream = [...read('deploy/nginx.conf').matchAll(/^\s*server\s+([\w.-]+:\d+)/gm)].map((m) => m[1]);
    assert.deepEqual(upstream, openomServices.map((name) => `${name}:8080`));
    assert.ok(services.proxy!.volumes!.some((v) => v.startsWith('./deploy/nginx.conf:')));
    assert.ok(services.prometheus!.volumes!.some((v) => v.startsWith('./deploy/prometheus.yml:')));
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('builds in one stage and runs in a second, as the non-root node user, listening on all interfaces', () => {
    const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    assert.equal(stages.length, 2);
    assert.match(dockerfile, /^FROM \S+ AS build$/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/node_modules /m);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /HOST=0\.0\.0\.0/);
  });

  it('keeps the SQLite store in the volume it declares', () => {
    const storeDir = /DATABASE_URL=sqlite:(\/\S+)\/openom\.sqlite/.exec(dockerfile)?.[1];
    assert.ok(storeDir, 'no default DATABASE_URL');
    assert.match(dockerfile, new RegExp(`^VOLUME ${storeDir}$`, 'm'));
  });

  it('starts the server as npm start does and checks health with scripts/healthcheck.mjs', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(' ');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    assert.deepEqual(cmd, start);
    assert.match(dockerfile, /^HEALTHCHECK .*CMD \["node", "scripts\/healthcheck\.mjs"\]$/m);
  });
});

describe('scripts/healthcheck.mjs', () => {
  const check = (port: number) => spawnSync(process.execPath, ['scripts/healthcheck.mjs'], { cwd: REPO_ROOT, env: cleanEnv({ PORT: String(port) }), timeout: 10_000 }).status;

  it('exits 0 while OpenOM is ready and 1 when nothing answers', async () => {
    const port = await freePort();
    assert.equal(check(port), 1);
    const server = spawnOpenOM({ PORT: String(port), DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'warn' });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/health/ready`, 200, 30_000, server);
      assert.equal(check(port), 0);
    } finally {
      await server.stop();
    }
  });
});
