// The peer anchor: Stoplight's Prism mock server serving OpenOM's own /openapi.json, the stand-in a
// merchant would otherwise test against. Installed on first use into node_modules/.cache (from the
// npm registry, outside the project's dependencies), then reused.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT, sleep, stopper, type Server } from './proc.js';

/** The newest Prism that runs on Node 20 (5.15 and later need Node 24). */
export const PRISM_VERSION = '5.14.2';
const DIR = join(ROOT, 'node_modules', '.cache', 'openom-bench', `prism-${PRISM_VERSION}`);
const CLI = join(DIR, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

/** The Prism CLI, installed if needed; undefined (with the reason) when it cannot be had. */
export function ensurePrism(log: (msg: string) => void): { cli?: string; reason?: string } {
  if (existsSync(CLI)) return { cli: CLI };
  log(`installing @stoplight/prism-cli@${PRISM_VERSION} into ${DIR} (once)`);
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'package.json'), '{"private":true}\n');
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--loglevel=error', `@stoplight/prism-cli@${PRISM_VERSION}`], {
    cwd: DIR,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  if (npm.status !== 0 || !existsSync(CLI)) return { reason: `npm install failed: ${npm.stderr?.toString().trim().split('\n').pop() ?? npm.error?.message}` };
  return { cli: CLI };
}

/** Starts `prism mock` on the given OpenAPI file and waits until it answers. */
export async function startPrism(cli: string, specFile: string): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  // Prism logs every request on stdout: discarded, as a merchant's terminal would just scroll it.
  const proc = spawn(process.execPath, [cli, 'mock', '-h', '127.0.0.1', '-p', String(port), specFile], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-5000)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Prism exited with ${proc.exitCode}:\n${stderr}`);
    try {
      await (await fetch(`${url}/openapi-probe`)).arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) {
      proc.kill('SIGKILL');
      throw new Error(`Prism did not start within 60 s:\n${stderr}`);
    }
    await sleep(100);
  }
  return { proc, url, port, readyMs: performance.now() - started, stderr: () => stderr, stop: stopper(proc) };
}
