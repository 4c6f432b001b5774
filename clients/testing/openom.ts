// A test-framework recipe (CONTRACT §15): start an in-memory OpenOM on a free port for a test run,
// and hand out a fresh merchant per test, so tests never see each other's orders. No dependencies
// beyond Node; see README.md beside this file for Node's test runner, Vitest and Jest.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RunningOpenOM {
  /** http://127.0.0.1:<port> */
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The program and arguments that start OpenOM (default: this checkout's dist/openom.mjs, else its sources through tsx). */
  command?: string[];
  /** More environment for the server (OPENOM_FIXTURES, OPENOM_PROFILE, …). */
  env?: Record<string, string>;
  /** How long to wait for it to be ready (default 60 s). */
  timeoutMs?: number;
}

export interface TestMerchant {
  merchant_id: string;
  username: string;
  password: string;
  /** The Authorization header value for the merchant API. */
  authorization: string;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function defaultCommand(): string[] {
  const bundle = `${REPO}dist/openom.mjs`;
  return existsSync(bundle) ? [process.execPath, bundle] : [process.execPath, '--import', 'tsx', `${REPO}src/main.ts`];
}

/** A port nobody listens on now (the system picks it; OpenOM needs to know it for its absolute URLs). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts OpenOM with an in-memory store on a free port; resolves once /health/ready answers 200. */
export async function startOpenOM(options: StartOptions = {}): Promise<RunningOpenOM> {
  const adminToken = `test_admin_${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const [program, ...args] = options.command ?? defaultCommand();
  const child = spawn(program!, args, {
    cwd: REPO,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: 'sqlite::memory:', OPENOM_ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  await whenReady(child, url, options.timeoutMs ?? 60_000);
  return {
    url,
    adminToken,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function whenReady(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`OpenOM exited with ${child.exitCode} before it was ready: ${err}`);
    const status = await fetch(`${url}/health/ready`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`OpenOM was not ready within ${timeoutMs} ms: ${err}`);
}

/** The OpenOM a global setup started for this run (OPENOM_TEST_URL, OPENOM_TEST_ADMIN_TOKEN). */
export function runningFromEnv(): Pick<RunningOpenOM, 'url' | 'adminToken'> {
  const url = process.env.OPENOM_TEST_URL;
  const adminToken = process.env.OPENOM_TEST_ADMIN_TOKEN;
  if (!url || !adminToken) throw new Error('OPENOM_TEST_URL and OPENOM_TEST_ADMIN_TOKEN are not set: run with the global setup (clients/testing/README.md)');
  return { url, adminToken };
}

/** A new merchant of its own for one test: nothing another test does is visible to it. */
export async function freshMerchant(openom: Pick<RunningOpenOM, 'url' | 'adminToken'> = runningFromEnv(), name = 'Test shop'): Promise<TestMerchant> {
  const res = await fetch(`${openom.url}/admin/v1/merchants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${openom.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`creating a merchant: ${res.status} ${await res.text()}`);
  const m = (await res.json()) as Omit<TestMerchant, 'authorization'>;
  return { ...m, authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}` };
}
