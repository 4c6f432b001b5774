// Bundles the command line (src/cli/main.ts) into outdir/cli.mjs, which bin/openom.mjs imports; the
// build (scripts/bundle.mjs) writes it to dist/, the CLI tests to a directory of their own.
// Code only some commands need (the store, for `ledger check`) goes into cli-*.mjs chunks beside
// it, loaded when used, so that the other commands start in a fraction of the time.
// Native packages stay outside the bundle and load from node_modules.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export function bundleCli(outdir) {
  return build({
    entryPoints: { cli: fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)) },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'cli-[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'pg-native'],
    // Runnable by itself; and the bundled CommonJS packages (pg) call require().
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
