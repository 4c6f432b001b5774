// Runs the command line as users do: src/cli bundled by the build's own script (scripts/bundle-cli.mjs)
// into a scratch directory, each command its own process. The scratch directory is inside
// node_modules/ so that the bundle finds its native packages (better-sqlite3) the way dist/ does.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, cleanEnv } from '../support/process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Cli {
  run(args: string[], env?: Record<string, string>, stdin?: string): Promise<CliResult>;
  /** Runs the command, asserts exit 0 and nothing on stderr, returns the JSON it printed. */
  json<T = Record<string, unknown>>(args: string[], env?: Record<string, string>, stdin?: string): Promise<T>;
  remove(): void;
}

export async function buildCli(): Promise<Cli> {
  const cacheDir = join(REPO_ROOT, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(join(cacheDir, 'openom-cli-test-'));
  const { bundleCli } = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', 'bundle-cli.mjs')).href)) as { bundleCli: (outdir: string) => Promise<unknown> };
  await bundleCli(dir);
  const entry = join(dir, 'cli.mjs');
  const run = (args: string[], env: Record<string, string> = {}, stdin?: string) => runProcess(process.execPath, [entry, ...args], env, stdin);
  return {
    run,
    async json<T>(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<T> {
      const r = await run(args, env, stdin);
      if (r.code !== 0 || r.stderr !== '') throw new Error(`openom ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return JSON.parse(r.stdout) as T;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a program in the repository, without blocking this process (a test may be serving it). */
export async function runProcess(command: string, args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: REPO_ROOT, env: cleanEnv(env), timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr, ms: performance.now() - started };
}

/** A failure as the CLI contract has it: nothing on stdout, exactly one line on stderr. */
export function failureLine(r: CliResult): string {
  if (r.stdout !== '') throw new Error(`a failure printed on stdout: ${r.stdout}`);
  const lines = r.stderr.split('\n');
  if (lines.length !== 2 || lines[1] !== '') throw new Error(`a failure must be one line on stderr, got: ${JSON.stringify(r.stderr)}`);
  return lines[0]!;
}
