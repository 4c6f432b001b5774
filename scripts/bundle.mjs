// Bundles the compiled server (dist/main.js) into one file, dist/openom.mjs, which `npm start` runs:
// loading one file instead of hundreds of modules takes a few hundred milliseconds off start-up.
// Native and file-serving packages stay outside the bundle and load from node_modules.
// Then the command line, dist/cli.mjs and its chunks (scripts/bundle-cli.mjs).
import { build } from 'esbuild';
import { bundleCli } from './bundle-cli.mjs';

await build({
  entryPoints: ['dist/main.js'],
  outfile: 'dist/openom.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'pg-native', '@fastify/swagger-ui'],
  // Some bundled CommonJS packages call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

await bundleCli('dist');
