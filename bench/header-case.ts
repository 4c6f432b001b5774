// What canonical header names (src/http/server.ts, CONTRACT §4) cost per response: the same
// Fastify route, with OpenOM's standard headers and a GET-sized JSON body, served once by Node's
// plain ServerResponse and once by CanonicalResponse, in rounds that alternate which goes first. Reported as server
// CPU time per request (less sensitive to other load on a shared machine than req/s) and req/s.
// Usage: node --import tsx bench/header-case.ts [--requests=N] [--rounds=N]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import Fastify from 'fastify';
import { setStandardHeaders } from '../src/http/plumbing.js';
import { serverFactory } from '../src/http/server.js';
import { freePort, runLoad } from './lib/proc.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

async function serve(kind: 'plain' | 'canonical', port: number): Promise<void> {
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

async function measure(kind: 'plain' | 'canonical', requests: number): Promise<{ cpuUsPerRequest: number; rps: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/header-case.ts', 'serve', kind, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

if (process.argv[2] === 'serve') {
  await serve(process.argv[3] as 'plain' | 'canonical', Number(process.argv[4]));
} else {
  const requests = arg('requests', 50_000);
  const rounds = arg('rounds', 3);
  const results: Record<string, { cpuUsPerRequest: number; rps: number }[]> = { plain: [], canonical: [] };
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first, so a drift in the machine's load does not favour one.
    for (const kind of round % 2 ? (['plain', 'canonical'] as const) : (['canonical', 'plain'] as const)) {
      const r = await measure(kind, requests);
      results[kind]!.push(r);
      console.log(`round ${round} ${kind.padEnd(9)} ${r.cpuUsPerRequest.toFixed(1)} µs CPU/request, ${Math.round(r.rps)} req/s`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const plain = median(results.plain!.map((r) => r.cpuUsPerRequest));
  const canonical = median(results.canonical!.map((r) => r.cpuUsPerRequest));
  console.log(`median CPU/request: plain ${plain.toFixed(1)} µs, canonical ${canonical.toFixed(1)} µs (${(((canonical - plain) / plain) * 100).toFixed(1)}%)`);
}
