// `openom start`: runs the server bundle beside the CLI's (dist/openom.mjs) as `npm start` does, in
// a child process that shares the terminal and gets the signals; exits with the server's exit code.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { usageError } from './output.js';

// The node flags of `npm start` (package.json): a smaller young generation, and a heap limit (20
// times the live heap) under which V8 grows the old generation by less each time, keep the
// server's RSS down (README, Performance).
const NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=512'];

export async function startServer(): Promise<number> {
  const server = fileURLToPath(new URL('./openom.mjs', import.meta.url));
  if (!existsSync(server)) throw usageError(`${server} does not exist: run \`npm run build\` first`);
  const child = spawn(process.execPath, [...NODE_FLAGS, server], { stdio: 'inherit' });
  // Ctrl-C reaches both processes; the server ignores a second signal while it shuts down.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return code ?? 128 + (signal ? constants.signals[signal] : 0);
}
