#!/usr/bin/env node
// `npx openom`: runs the command line built into dist/ (`npm ci` and `npm run build` build it).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.mjs', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  process.stderr.write('openom: dist/cli.mjs does not exist: run `npm run build` first\n');
  process.exitCode = 2;
}
