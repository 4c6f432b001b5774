// `npm run fuzz -- --runs N [--seed S] [--postgres]`: the CI fuzzing property, as long as you like.
import { runFuzz } from './fuzz.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(arg('runs') ?? 10_000);
const seed = arg('seed') === undefined ? undefined : Number(arg('seed'));
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error('usage: npm run fuzz -- --runs N [--seed S] [--postgres]');
  process.exit(2);
}
const started = performance.now();
runFuzz({ runs, seed, backend: process.argv.includes('--postgres') ? 'postgres' : 'sqlite', log: (line) => console.log(line) }).then(
  () => {
    console.log(`[fuzz] passed in ${Math.round((performance.now() - started) / 1000)} s`);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
