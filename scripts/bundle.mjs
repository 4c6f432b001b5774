// Builds the server: esbuild compiles src/main.ts and everything it imports (TypeScript included)
// into one file, dist/openom.mjs, which `npm start` runs. Loading one file instead of hundreds of
// modules takes a few hundred milliseconds off start-up, and the build needs no dev tools, so
// `npm ci --omit=dev` can run it. Type checking is `npm run check`'s job.
// Native and file-serving packages, and node-forge (loaded only to make a self-signed
// certificate), stay outside the bundle and load from node_modules.
// Then the request validators, compiled now rather than at every start (dist/validators.mjs, see
// src/http/precompiledValidators.ts), and the command line, dist/cli.mjs and its chunks
// (scripts/bundle-cli.mjs).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleCli } from './bundle-cli.mjs';

const serverBundle = (entryPoint, outfile, options = {}) =>
  build({
    ...options,
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: outfile === 'dist/openom.mjs',
    external: ['better-sqlite3', 'pg-native', '@fastify/swagger-ui', 'node-forge'],
    // Some bundled CommonJS packages call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });

await serverBundle('src/main.ts', 'dist/openom.mjs');

// The generator and its output live in dist/ while they are used, so that the output's require()s
// of Ajv's runtime helpers resolve from node_modules when it is bundled.
const generator = 'dist/.generate-validators.mjs';
const sources = 'dist/.validators-source.mjs';
try {
  await serverBundle('scripts/generate-validators.ts', generator);
  execFileSync(process.execPath, [generator, sources], { stdio: 'inherit' });
  // Ajv's code repeats each shared schema in every validator that uses it: without the whitespace
  // there is less to parse at start.
  await serverBundle(sources, 'dist/validators.mjs', { minifyWhitespace: true, minifySyntax: true });
} finally {
  rmSync(generator, { force: true });
  rmSync(sources, { force: true });
}

await bundleCli('dist');
