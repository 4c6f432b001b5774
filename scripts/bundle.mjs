// Builds the server: esbuild compiles src/main.ts and everything it imports (TypeScript included)
// into one file, dist/openom.mjs, which `npm start` runs. Loading one file instead of hundreds of
// modules takes a few hundred milliseconds off start-up, and the build needs no dev tools, so
// `npm ci --omit=dev` can run it. Type checking is `npm run check`'s job.
// Native and file-serving packages, and node-forge (loaded only to make a self-signed
// certificate), stay outside the bundle and load from node_modules.
// Then the command line, dist/cli.mjs and its chunks (scripts/bundle-cli.mjs).
import { build } from 'esbuild';
import { bundleCli } from './bundle-cli.mjs';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/openom.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'pg-native', '@fastify/swagger-ui', 'node-forge'],
  // Some bundled CommonJS packages call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

await bundleCli('dist');
