// Summarizes V8 CPU profiles (node --cpu-prof, e.g. from `npm run bench -- --cpu-prof=/tmp/prof`):
// top functions by self time, self time by package, and OpenOM's own functions by inclusive time.
// Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile | dir> [--top=N]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// Piped into head: stop quietly when the reader goes away.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const args = process.argv.slice(2);
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
const target = args.find((a) => !a.startsWith('--'));
if (!target) {
  console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile | dir> [--top=N]');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(target, f))
  : [target];

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** Where a frame's time belongs: an npm package, OpenOM itself, Node's internals, or V8. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.includes('/dist/')) return 'openom';
  if (url.startsWith('node:')) return 'node internals';
  return 'other';
}

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number, total: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  let total = 0;
  let idle = 0;
  const selfByLabel = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  const inclusiveByLabel = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    total += us;
    if (node.callFrame.functionName === '(idle)') idle += us;
    const l = label(node.callFrame);
    selfByLabel.set(l, (selfByLabel.get(l) ?? 0) + us);
    const a = areaOf(node.callFrame);
    selfByArea.set(a, (selfByArea.get(a) ?? 0) + us);
    // Inclusive time of OpenOM functions: count each function once per stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!f.url.includes('/dist/')) continue;
      const fl = label(f);
      if (seen.has(fl)) continue;
      seen.add(fl);
      inclusiveByLabel.set(fl, (inclusiveByLabel.get(fl) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const sorted = (m: Map<string, number>) => [...m].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);

  console.log(`\n=== ${file}`);
  console.log(`sampled ${ms(total).trim()} ms, of which idle ${ms(idle).trim()} ms; busy ${ms(busy).trim()} ms (percentages below are of busy time)\n`);
  console.log('self time by area:');
  for (const [a, us] of sorted(selfByArea).slice(0, 15)) console.log(`  ${ms(us)} ms ${pct(us, busy)}  ${a}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [l, us] of sorted(selfByLabel).slice(0, top)) console.log(`  ${ms(us)} ms ${pct(us, busy)}  ${l}`);
  console.log(`\nOpenOM functions by inclusive time (top ${top}):`);
  for (const [l, us] of sorted(inclusiveByLabel).slice(0, top)) console.log(`  ${ms(us)} ms ${pct(us, busy)}  ${l}`);
}
