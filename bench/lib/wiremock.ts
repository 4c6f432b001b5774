// The JVM mock peer: WireMock standalone (the `wiremock` npm package ships its jar), stubbing
// POST …/captures with a constant 201, stateless (no request journal, no request log): what a
// mock that stores nothing can do on this machine, next to the Prism mock. Needs `java` on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORDERS } from './api.js';
import { installedFromNpm } from './npm-cache.js';
import { freePort, ROOT, untilListening, type Server } from './proc.js';

export const WIREMOCK_VERSION = '3.13.2';

/** The java command and the standalone jar; undefined (with the reason) when either is missing. */
export function ensureWiremock(log: (msg: string) => void): { jar?: string; java?: string; reason?: string } {
  const java = spawnSync('java', ['-version'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (java.status !== 0) return { reason: `no java on PATH (${java.error?.message ?? `java -version exited with ${java.status}`})` };
  const { path, reason } = installedFromNpm('wiremock', WIREMOCK_VERSION, `wiremock-${WIREMOCK_VERSION}`, `node_modules/wiremock/build/wiremock-standalone-${WIREMOCK_VERSION}.jar`, log);
  const version = /version "([^"]+)"/.exec(java.stderr.toString())?.[1] ?? '?';
  return path ? { jar: path, java: version } : { reason };
}

/** Starts WireMock on a free port with the capture stub; a 256 MB heap is plenty for a stateless stub. */
export async function startWiremock(jar: string): Promise<Server> {
  const root = mkdtempSync(join(tmpdir(), 'openom-bench-wiremock-'));
  mkdirSync(join(root, 'mappings'));
  const captureId = '00000000-0000-4000-8000-000000000000';
  writeFileSync(
    join(root, 'mappings', 'capture.json'),
    JSON.stringify({
      request: { method: 'POST', urlPathPattern: `${ORDERS}/[^/]+/captures` },
      response: { status: 201, headers: { Location: `${ORDERS}/order/captures/${captureId}`, 'Capture-Id': captureId } },
    }),
  );
  const port = await freePort();
  const started = performance.now();
  const args = ['-Xmx256m', '-jar', jar, '--port', String(port), '--bind-address', '127.0.0.1', '--root-dir', root, '--no-request-journal', '--disable-request-logging', '--disable-banner'];
  const proc = spawn('java', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  proc.once('exit', () => rmSync(root, { recursive: true, force: true }));
  return untilListening('WireMock', proc, port, started, '/__admin/health');
}
