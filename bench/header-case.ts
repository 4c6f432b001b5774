// What canonical header names (src/http/server.ts, CONTRACT §4) cost per response, Node's plain
// ServerResponse against CanonicalResponse, two ways:
//   default         the same Fastify route (OpenOM's standard headers, a GET-sized JSON body) served
//                   by each, in rounds that alternate which goes first; server CPU time per request
//                   (less disturbed by other load on a shared machine than req/s) and req/s.
//   --instructions  the response head alone (construct + writeHead with those headers), counted in
//                   CPU instructions under valgrind's callgrind: repeatable whatever else the machine
//                   does. Per response = (count for 2N − count for N) / N, so start-up cancels out.
// Usage: node --import tsx bench/header-case.ts [--requests=N] [--rounds=N] | --instructions [--responses=N]
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import Fastify from 'fastify';
import { setStandardHeaders } from '../src/http/plumbing.js';
import { serverFactory } from '../src/http/server.js';
import { freePort, runLoad } from './lib/proc.js';

type Kind = 'plain' | 'canonical';
const KINDS: Kind[] = ['plain', 'canonical'];
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const self = ['--import', 'tsx', 'bench/header-case.ts'];

async function serve(kind: Kind, port: number): Promise<void> {
  const app = Fastify({
    logger: false,
    serverFactory: kind === 'canonical' ? serverFactory(undefined) : (handler) => createServer(handler),
  });
  const document = JSON.stringify({ order_id: 'x'.repeat(36), order_lines: Array.from({ length: 3 }, (_, i) => ({ name: `line ${i}`, quantity: 1, total_amount: 1000 })), padding: 'p'.repeat(1000) });
  app.addHook('onRequest', (request, reply, done) => {
    setStandardHeaders(request, reply);
    done();
  });
  app.get('/order', (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
  app.get('/cpu', (_request, reply) => reply.send(process.cpuUsage()));
  await app.listen({ host: '127.0.0.1', port });
  process.stdout.write('ready\n');
}

async function measure(kind: Kind, requests: number): Promise<{ cpuUsPerRequest: number; rps: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...self, 'serve', kind, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  const url = `http://127.0.0.1:${port}`;
  try {
    const load = (amount: number) => runLoad({ url, kind: 'path', path: '/order', connections: 8, amount });
    await load(5000); // warm-up
    const cpu = async () => {
      const u = (await (await fetch(`${url}/cpu`)).json()) as { user: number; system: number };
      return u.user + u.system;
    };
    const before = await cpu();
    const result = await load(requests);
    const used = (await cpu()) - before;
    return { cpuUsPerRequest: used / result.requests, rps: result.rps };
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * A script writing the head of n responses as Fastify writes it for an OpenOM GET, with
 * src/http/server.ts bundled beside it: plain Node under valgrind, no TypeScript loader to count.
 */
async function headsScript(dir: string): Promise<string> {
  await build({ entryPoints: ['src/http/server.ts'], outfile: join(dir, 'server.mjs'), bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
  const script = join(dir, 'heads.mjs');
  writeFileSync(
    script,
    `import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { CanonicalResponse } from './server.mjs';
const Response = process.argv[2] === 'canonical' ? CanonicalResponse : ServerResponse;
const request = new IncomingMessage(new Socket());
const headers = () => ({
  'klarna-correlation-id': 'c3b1a2d4-0000-4000-8000-000000000000', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'content-type': 'application/json; charset=utf-8', 'content-length': '1200',
});
for (let i = 0, n = Number(process.argv[3]); i < n; i++) new Response(request).writeHead(200, headers());
`,
  );
  return script;
}

function instructions(script: string, kind: Kind, n: number): number {
  const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file', process.execPath, '--single-threaded', script, kind, String(n)], { encoding: 'utf8' });
  const count = /Collected : (\d+)/.exec(run.stderr)?.[1];
  if (!count) throw new Error(`valgrind failed (is it installed?): ${run.stderr.slice(-500)}`);
  return Number(count);
}

if (process.argv[2] === 'serve') {
  await serve(process.argv[3] as Kind, Number(process.argv[4]));
} else if (process.argv.includes('--instructions')) {
  const n = arg('responses', 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'openom-header-case-'));
  try {
    const script = await headsScript(dir);
    const perResponse: Record<string, number> = {};
    for (const kind of KINDS) {
      perResponse[kind] = (instructions(script, kind, 2 * n) - instructions(script, kind, n)) / n;
      console.log(`${kind.padEnd(9)} ${Math.round(perResponse[kind]!)} instructions per response head`);
    }
    console.log(`canonical names cost ${Math.round(perResponse.canonical! - perResponse.plain!)} instructions per response`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const requests = arg('requests', 50_000);
  const rounds = arg('rounds', 3);
  const results: Record<string, { cpuUsPerRequest: number; rps: number }[]> = { plain: [], canonical: [] };
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first, so a drift in the machine's load does not favour one.
    for (const kind of round % 2 ? KINDS : [...KINDS].reverse()) {
      const r = await measure(kind, requests);
      results[kind]!.push(r);
      console.log(`round ${round} ${kind.padEnd(9)} ${r.cpuUsPerRequest.toFixed(1)} µs CPU/request, ${Math.round(r.rps)} req/s`);
    }
  }
  const plain = median(results.plain!.map((r) => r.cpuUsPerRequest));
  const canonical = median(results.canonical!.map((r) => r.cpuUsPerRequest));
  console.log(`median CPU/request: plain ${plain.toFixed(1)} µs, canonical ${canonical.toFixed(1)} µs (${(((canonical - plain) / plain) * 100).toFixed(1)}%)`);
}
