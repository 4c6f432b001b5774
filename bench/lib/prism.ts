// The peer anchor: Stoplight's Prism mock server serving OpenOM's own /openapi.json, the stand-in a
// merchant would otherwise test against. Installed on first use into node_modules/.cache (from the
// npm registry, outside the project's dependencies), then reused.
import { spawn } from 'node:child_process';
import { installedFromNpm } from './npm-cache.js';
import { freePort, ROOT, untilListening, type Server } from './proc.js';

/** The newest Prism that runs on Node 20 (5.15 and later need Node 24). */
export const PRISM_VERSION = '5.14.2';

/** The Prism CLI, installed if needed; undefined (with the reason) when it cannot be had. */
export function ensurePrism(log: (msg: string) => void): { cli?: string; reason?: string } {
  const { path, reason } = installedFromNpm('@stoplight/prism-cli', PRISM_VERSION, `prism-${PRISM_VERSION}`, 'node_modules/@stoplight/prism-cli/dist/index.js', log);
  return path ? { cli: path } : { reason };
}

/** Starts `prism mock` on the given OpenAPI file and waits until it answers. */
export async function startPrism(cli: string, specFile: string): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  // Prism logs every request on stdout: discarded, as a merchant's terminal would just scroll it.
  const proc = spawn(process.execPath, [cli, 'mock', '-h', '127.0.0.1', '-p', String(port), specFile], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return untilListening('Prism', proc, port, started, '/openapi-probe');
}
