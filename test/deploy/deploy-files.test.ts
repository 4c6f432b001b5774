// The container files (Dockerfile, compose.yaml, deploy/) agree with each other and with OpenOM.
// No Docker engine runs here, so their structure is checked, and the health-check script runs
// for real against a real OpenOM process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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
  secrets?: string[];
  mem_limit?: string;
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; secrets: Record<string, { file: string }> };
const services = compose.services;
const openomServices = Object.keys(services).filter((name) => services[name]!.image === 'openom:local');
/** compose.tls.yaml's `!override` is Compose's own tag: read as the plain list it marks. */
const tlsOverride = parse(read('compose.tls.yaml'), { logLevel: 'error' }) as { services: Record<string, Service> };

/** Where Docker mounts a service's secret. */
const SECRETS_DIR = '/run/secrets/';
const secretsHere = mkdtempSync(join(tmpdir(), 'openom-compose-secrets-'));
after(() => rmSync(secretsHere, { recursive: true, force: true }));

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

  it('gives each instance a configuration OpenOM accepts, on the compose PostgreSQL database, its secrets read from Docker secrets', () => {
    const pg = services.postgres!.environment!;
    // The secret files as the README's recipe writes them.
    const contents: Record<string, string> = {
      postgres_password: 'pg-password-from-a-file\n',
      database_url: `postgres://${pg.POSTGRES_USER}:pg-password-from-a-file@postgres:5432/${pg.POSTGRES_DB}\n`,
      openom_admin_token: 'admin-token-from-a-file-0123\n',
    };
    assert.deepEqual(Object.keys(compose.secrets).sort(), Object.keys(contents).sort());
    for (const [secret, content] of Object.entries(contents)) {
      assert.match(compose.secrets[secret]!.file, /^\.\/secrets\//, `${secret} comes from a file in ./secrets`);
      writeFileSync(join(secretsHere, secret), content);
    }
    for (const name of openomServices) {
      const service = services[name]!;
      const env = Object.fromEntries(Object.entries(service.environment!).map(([k, v]) => [k, String(v)]));
      for (const [variable, value] of Object.entries(env)) {
        if (!variable.endsWith('_FILE')) continue;
        assert.ok(value.startsWith(SECRETS_DIR) && service.secrets!.includes(value.slice(SECRETS_DIR.length)), `${name}: ${variable} names a secret it is given`);
        env[variable] = join(secretsHere, value.slice(SECRETS_DIR.length));
      }
      const config = loadConfig(env);
      assert.equal(config.store.kind, 'postgres');
      const url = new URL(config.store.kind === 'postgres' ? config.store.url : '');
      assert.equal(url.hostname, 'postgres');
      assert.equal(url.pathname, `/${pg.POSTGRES_DB}`);
      assert.equal(url.username, pg.POSTGRES_USER);
      assert.equal(url.password, 'pg-password-from-a-file');
      assert.equal(env.OPENOM_METRICS_PORT, '9464');
      assert.equal(config.metricsPort, 9464);
      assert.equal(config.mode, 'production');
      assert.equal(config.adminToken, 'admin-token-from-a-file-0123', 'the admin token must be set, not generated per instance');
    }
    assert.equal(pg.POSTGRES_PASSWORD_FILE, `${SECRETS_DIR}postgres_password`);
    assert.deepEqual(services.postgres!.secrets, ['postgres_password']);
  });

  it('puts no secret in an environment: no password, token or database URL, nor a ${VARIABLE} that would carry one', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        assert.doesNotMatch(variable, /^(DATABASE_URL|OPENOM_ADMIN_TOKEN|POSTGRES_PASSWORD|OPENOM_SANDBOX_PASSWORD)$/, `${name} sets ${variable} in its environment`);
        assert.doesNotMatch(String(value), /\$\{/, `${name}: ${variable} is interpolated from the caller's environment`);
      }
    }
  });

  it('publishes the API, and Prometheus on this host only; every service has a memory limit', () => {
    const published = Object.fromEntries(Object.entries(services).filter(([, s]) => s.ports).map(([name, s]) => [name, s.ports]));
    assert.deepEqual(published, { proxy: ['8080:8080'], prometheus: ['127.0.0.1:9090:9090'] });
    for (const [name, service] of Object.entries(services)) assert.match(service.mem_limit ?? '', /^\d+[mg]$/, `${name} has no memory limit`);
  });

  it('has a TLS variant: nginx serves HTTPS on 443 with the operator\'s certificate, plain HTTP on this host only', () => {
    const proxy = tlsOverride.services.proxy!;
    assert.deepEqual(Object.keys(tlsOverride.services), ['proxy']);
    assert.deepEqual(proxy.ports, ['443:8443', '127.0.0.1:8080:8080']);
    assert.ok(read('compose.tls.yaml').includes('ports: !override'), 'the base port must be replaced, not added to');
    assert.ok(proxy.volumes!.includes('./deploy/nginx-tls.conf:/etc/nginx/conf.d/tls.conf:ro'));
    const certDir = proxy.volumes!.find((v) => v.startsWith('./deploy/tls:'))!.split(':')[1];
    const tls = read('deploy/nginx-tls.conf');
    assert.match(tls, /^\s*listen 8443 ssl;/m);
    assert.match(tls, new RegExp(`^\\s*ssl_certificate ${certDir}/fullchain\\.pem;`, 'm'));
    assert.match(tls, new RegExp(`^\\s*ssl_certificate_key ${certDir}/privkey\\.pem;`, 'm'));
    // Both servers proxy the same way: one file of proxy settings, mounted by compose.yaml.
    for (const conf of ['deploy/nginx.conf', 'deploy/nginx-tls.conf']) assert.match(read(conf), /include \/etc\/nginx\/openom-proxy\.conf;/, conf);
    assert.ok(services.proxy!.volumes!.includes('./deploy/openom-proxy.conf:/etc/nginx/openom-proxy.conf:ro'));
    assert.match(read('deploy/openom-proxy.conf'), /proxy_set_header X-Forwarded-Proto \$scheme;/);
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

  it('runs on the Node LTS that CI runs the whole suite on (.ci/lts-node), which package.json engines admits besides Node 20', () => {
    const lts = /^LTS_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(read('.ci/lts-node'));
    assert.ok(lts, 'no LTS_VERSION in .ci/lts-node');
    const images = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    assert.deepEqual(images, [lts[1], lts[1]]);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node.split('||').map((range) => range.trim());
    assert.ok(engines.includes(`^${lts[1]}.0.0`), `engines ${engines.join(' || ')} do not admit Node ${lts[1]}`);
    assert.ok(engines.some((range) => range.startsWith('^20.')), 'Node 20 must keep working');
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
