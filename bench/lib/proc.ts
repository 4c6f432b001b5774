// Processes the bench starts: OpenOM, the hello-world anchor and the load generator; their memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCapture } from './api.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIB = fileURLToPath(new URL('.', import.meta.url));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size in MB from /proc (Linux), or undefined when the process is gone. */
export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 100 ms; peak() is the highest value since the last reset(). */
export class RssSampler {
  private max = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number | undefined) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  sample(): number {
    const mb = rssMb(this.pid) ?? 0;
    if (mb > this.max) this.max = mb;
    return mb;
  }
  reset(): void {
    this.max = 0;
    this.sample();
  }
  peak(): number {
    this.sample();
    return this.max;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

export interface Server {
  proc: ChildProcess;
  url: string;
  port: number;
  readyMs: number;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited within 15 s. */
export function stopper(proc: ChildProcess): () => Promise<void> {
  return async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
}

/** The node flags `npm start` runs OpenOM with (package.json "start": "node <flags> dist/openom.mjs"). */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  return start.slice(1).filter((arg) => arg.startsWith('--'));
}

/**
 * Starts node dist/openom.mjs as npm start does and measures the time from spawn to the first 200 on
 * /health/ready. `main` runs another entry point instead (with nodeArgs such as `--import tsx`).
 */
export async function startOpenOM(env: Record<string, string>, nodeArgs: string[] = [], main?: string): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  // BENCH_OPENOM_MAIN: another build to compare (A/B), e.g. a patched copy of dist/main.js.
  main ??= process.env.BENCH_OPENOM_MAIN ?? 'dist/openom.mjs';
  const proc = spawn(process.execPath, [...startFlags(), ...nodeArgs, main], {
    cwd: ROOT,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`OpenOM exited with ${proc.exitCode} before it was ready:\n${stderr}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      await stopper(proc)();
      throw new Error(`OpenOM was not ready within 60 s:\n${stderr}`);
    }
    await sleep(2);
  }
  const readyMs = performance.now() - started;
  return { proc, url, port, readyMs, stderr: () => stderr, stop: stopper(proc) };
}

/**
 * A server process started at `started` (performance.now()), once any HTTP request to `probe`
 * gets an answer; killed and thrown when it exits or does not answer within 60 s.
 */
export async function untilListening(name: string, proc: ChildProcess, port: number, started: number, probe: string): Promise<Server> {
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-5000)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}:\n${stderr}`);
    try {
      await (await fetch(`${url}${probe}`)).arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) {
      proc.kill('SIGKILL');
      throw new Error(`${name} did not start within 60 s:\n${stderr}`);
    }
    await sleep(100);
  }
  return { proc, url, port, readyMs: performance.now() - started, stderr: () => stderr, stop: stopper(proc) };
}

export async function startHello(): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn(process.execPath, [join(LIB, 'hello-server.mjs'), String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    proc.once('exit', (code) => reject(new Error(`hello-world server exited with ${code}`)));
  });
  return { proc, url: `http://127.0.0.1:${port}`, port, readyMs: performance.now() - started, stderr: () => '', stop: stopper(proc) };
}

export interface LoadSpec {
  url: string;
  /** Several instances of one deployment: connections spread over them evenly (url is then ignored). */
  urls?: string[];
  connections: number;
  duration?: number;
  amount?: number;
  auth?: string;
  kind: 'path' | 'post' | 'get' | 'capture' | 'refund' | 'mix';
  path?: string;
  captureAmount?: number;
  ids?: { get?: string[]; capture?: string[]; refund?: string[] };
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  latency_ms: { mean: number | null; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  status: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  used: { get: number; capture: number; refund: number };
  exhausted: boolean;
}

const specDir = mkdtempSync(join(tmpdir(), 'openom-bench-load-'));
process.on('exit', () => rmSync(specDir, { recursive: true, force: true }));
let specCount = 0;

/** Runs autocannon in a child process against spec and returns its result. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const file = join(specDir, `spec-${specCount++}.json`);
  writeFileSync(file, JSON.stringify({ ...spec, captureBody: JSON.stringify(benchCapture(spec.captureAmount)) }));
  const proc = spawn(process.execPath, [join(LIB, 'load-worker.mjs'), file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  rmSync(file, { force: true });
  if (code !== 0) throw new Error(`load generator exited with ${code}: ${err}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult;
}
