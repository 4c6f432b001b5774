// Failed-login bursts against a real OpenOM process: how many wrong logins run scrypt, the server CPU
// they cost, and how long an unrelated merchant's first login takes meanwhile.
// Usage: node --import tsx bench/auth-burst.ts [--burst=600] [--addresses=30]
//   one address:  --burst concurrent wrong passwords for one merchant from 127.0.0.1
//   distributed:  the same burst spread over --addresses loopback addresses (127.0.1.x)
// The burst comes from a child process (so the two clients do not share an event loop); meanwhile a
// second merchant logs in (cold credential cache) from 127.0.0.2. Afterwards the attacked merchant
// logs in with its right password from a fresh address. BENCH_OPENOM_MAIN picks another server
// entry point (default src/main.ts), e.g. an older checkout's, for before/after figures.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { sleep, startOpenOM } from './lib/proc.js';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ORDER = '/ordermanagement/v1/orders/6f1c2a0e-3b4d-4c5e-8f90-123456789abc';
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function get(url: string, authorization: string, localAddress: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(`${url}${ORDER}`, { headers: { authorization }, agent, localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

interface BurstSpec {
  url: string;
  username: string;
  burst: number;
  addresses: number;
}

/** The child's part: the whole burst at once; says "started" once it is under way, then prints status counts and the slowest answer. */
async function burstWorker(spec: BurstSpec): Promise<void> {
  const address = (i: number) => (spec.addresses === 1 ? '127.0.0.1' : `127.0.1.${(i % spec.addresses) + 1}`);
  const pending = Array.from({ length: spec.burst }, (_, i) => get(spec.url, basic(spec.username, `wrong-${i}`), address(i)));
  await sleep(100);
  console.log('started');
  const results = await Promise.all(pending);
  const status: Record<number, number> = {};
  for (const r of results) status[r.status] = (status[r.status] ?? 0) + 1;
  console.log(JSON.stringify({ status, last_answer_ms: Math.round(Math.max(...results.map((r) => r.ms))) }));
}

/** Starts the burst in a child process; resolves `started` once it is under way, `done` with its result. */
function runBurst(spec: BurstSpec) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--worker=${JSON.stringify(spec)}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onStarted = () => {};
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('started\n')) onStarted();
  });
  const done = new Promise<{ status: Record<number, number>; last_answer_ms: number }>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`burst worker exited with ${code}`)))),
  );
  return { started, done };
}

interface Merchant {
  merchant_id: string;
  username: string;
  password: string;
}

async function createMerchant(url: string, name: string): Promise<Merchant> {
  const res = await fetch(`${url}/admin/v1/merchants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`create merchant: ${res.status} ${await res.text()}`);
  return (await res.json()) as Merchant;
}

/** CPU seconds (user + system) the process has used, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function scenario(burst: number, addresses: number) {
  const server = await startOpenOM({ DATABASE_URL: 'sqlite::memory:', OPENOM_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' }, ['--import', 'tsx']);
  try {
    const [target, bystander, quiet] = await Promise.all(['Target AB', 'Bystander AB', 'Quiet AB'].map((name) => createMerchant(server.url, name)));
    // The same first login with no burst running, for comparison.
    const idle = await get(server.url, basic(quiet!.username, quiet!.password), '127.0.0.2');
    const cpuBefore = cpuSeconds(server.proc.pid);
    const attack = runBurst({ url: server.url, username: target!.username, burst, addresses });
    await attack.started;
    const login = await get(server.url, basic(bystander!.username, bystander!.password), '127.0.0.2');
    const result = await attack.done;
    const cpu = cpuSeconds(server.proc.pid) - cpuBefore;
    const victim = await get(server.url, basic(target!.username, target!.password), '127.0.0.3');
    console.log(
      JSON.stringify({
        scenario: addresses === 1 ? 'one address' : `${addresses} addresses`,
        burst,
        ...result,
        server_cpu_s: Math.round(cpu * 100) / 100,
        bystander_login: { status: login.status, ms: Math.round(login.ms) },
        login_without_burst_ms: Math.round(idle.ms),
        target_right_password_after: victim.status,
      }),
    );
  } finally {
    await server.stop();
  }
}

const worker = option('worker');
if (worker) {
  await burstWorker(JSON.parse(worker) as BurstSpec);
} else {
  process.env.BENCH_OPENOM_MAIN ??= 'src/main.ts';
  const burst = Number(option('burst') ?? 600);
  await scenario(burst, 1);
  await scenario(burst, Number(option('addresses') ?? 30));
}
