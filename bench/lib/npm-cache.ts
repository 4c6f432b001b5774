// Tools the bench runs but the project does not depend on (the Prism and WireMock mock peers):
// installed from the npm registry on first use into node_modules/.cache/openom-bench/<dir>, then reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './proc.js';

/**
 * The file `entry` (relative to the install folder) of `pkg@version`, installed if needed into
 * node_modules/.cache/openom-bench/`dir`; undefined with the reason when it cannot be had.
 */
export function installedFromNpm(pkg: string, version: string, dir: string, entry: string, log: (msg: string) => void): { path?: string; reason?: string } {
  const folder = join(ROOT, 'node_modules', '.cache', 'openom-bench', dir);
  const path = join(folder, entry);
  if (existsSync(path)) return { path };
  log(`installing ${pkg}@${version} into ${folder} (once)`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{"private":true}\n');
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--loglevel=error', `${pkg}@${version}`], {
    cwd: folder,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  if (npm.status !== 0 || !existsSync(path)) return { reason: `npm install failed: ${npm.stderr?.toString().trim().split('\n').pop() ?? npm.error?.message}` };
  return { path };
}
