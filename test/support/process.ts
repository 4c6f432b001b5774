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
/**
 * A TCP port that was free a moment ago, chosen below the kernel's ephemeral range (32768+): the
 * listeners tests open on port 0 (receivers, proxies) can never be given it meanwhile, so a
 * spawned server does not race another test file for its port.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

function hasHeader(rawHeaders: readonly string[], name: string): boolean {
  return rawHeaders.some((h, i) => i % 2 === 0 && h.toLowerCase() === name);
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
      // Only OpenOM's answer counts (every one carries Klarna-Correlation-Id), not another listener's.
      const answer = url.startsWith('https:') ? await httpsCall(url, { ca }) : await fetch(url);
      const fromOpenOM = answer instanceof Response ? answer.headers.has('klarna-correlation-id') : hasHeader(answer.rawHeaders, 'klarna-correlation-id');
      if (answer.status === status && fromOpenOM) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
