// Runs OpenOM as a real process (`node --import tsx src/main.ts`) for start-up and config tests.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request as httpsRequest } from 'node:https';
import { createServer, type LookupFunction } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningServer {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Environment without anything OpenOM reads from the caller's shell, plus the given variables. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'HOST' || k === 'PORT' || k === 'DATABASE_URL' || k.startsWith('LOG_') || k.startsWith('OPENOM_')) continue;
    base[k] = v;
  }
  return { ...base, ...env };
}

export function spawnOpenOM(env: Record<string, string>): RunningServer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Starts OpenOM expecting it to stop by itself, non-zero, with one line naming `variable` and no
 * stack trace (a start-up mistake is reported, not thrown). Returns that line.
 */
export async function assertStopsWithOneLine(env: Record<string, string>, variable: string, timeoutMs = 20_000): Promise<string> {
  const server = spawnOpenOM(env);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), timeoutMs);
  const { code } = await server.exited;
  clearTimeout(timer);
  const output = (server.stderr() + server.stdout()).trim();
  assert.notEqual(code, null, `killed after ${timeoutMs} ms instead of exiting on its own:\n${output}`);
  assert.notEqual(code, 0);
  assert.equal(output.split('\n').length, 1, `expected one line, got:\n${output}`);
  assert.match(output, new RegExp(`\\b${variable}\\b`));
  assert.doesNotMatch(output, /\bat .*:\d+:\d+|Error:|node:internal/);
  return output;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface HttpsAnswer {
  status: number;
  /** Header names and values as on the wire, in pairs (node's rawHeaders). */
  rawHeaders: string[];
  body: string;
}

/** One HTTPS request trusting only `ca`; `resolveTo` plays a hosts-file entry for the URL's host name. */
export function httpsCall(
  url: string,
  options: { ca: Buffer | undefined; method?: string; headers?: Record<string, string>; body?: string; resolveTo?: string },
): Promise<HttpsAnswer> {
  const { ca, method = 'GET', headers = {}, body, resolveTo } = options;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(ca ? { ca } : {}),
        agent: false,
        ...(resolveTo
          ? {
              lookup: ((_host: string, opts: { all?: boolean }, done: (...args: unknown[]) => void) =>
                opts.all ? done(null, [{ address: resolveTo, family: 4 }]) : done(null, resolveTo, 4)) as unknown as LookupFunction,
            }
          : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls url until it answers `status`, or fails after timeoutMs. An https URL is called trusting `ca`. */
export async function waitForStatus(url: string, status: number, timeoutMs: number, server?: RunningServer, ca?: Buffer): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server && server.child.exitCode !== null) throw new Error(`server exited early: ${server.stderr()} ${server.stdout()}`);
    try {
      const answered = url.startsWith('https:') ? (await httpsCall(url, { ca })).status : (await fetch(url)).status;
      if (answered === status) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
