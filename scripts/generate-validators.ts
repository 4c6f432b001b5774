// Writes the request validators of every route, as Ajv's generated source, into one ES module
// (src/http/precompiledValidators.ts says why). The build (scripts/bundle.mjs) bundles this script,
// runs it, and bundles its output into dist/validators.mjs.
// The app is built in every mode and API profile, so every route any of them serves is included;
// the store is an empty in-memory SQLite database that building the routes never reads.
// Usage: node <bundle of this file> <output.mjs>
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { recordingValidatorFactory, validatorsModule } from '../src/http/precompiledValidators.js';
import { openStore } from '../src/store/dialect.js';

/** Every route's validator source, by schema digest, for the apps the modes build. */
export async function recordValidators(): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  const variants = ['sandbox', 'production'].flatMap((mode) => ['kustom', 'klarna'].map((profile) => ({ OPENOM_MODE: mode, OPENOM_PROFILE: profile })));
  for (const variant of variants) {
    const config = loadConfig({ ...variant, DATABASE_URL: 'sqlite::memory:', OPENOM_ADMIN_TOKEN: 'build-time-admin-token-0123456789', LOG_LEVEL: 'silent' });
    const store = openStore(config.store);
    const app = await buildApp({ config, store, readiness: { migrated: false }, adminTokenDigest: () => undefined, buildValidator: recordingValidatorFactory(sources) });
    await app.ready();
    await app.close();
    await store.close();
  }
  return sources;
}

const output = process.argv[2];
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && output) {
  const sources = await recordValidators();
  writeFileSync(output, validatorsModule(sources));
  console.log(`${sources.size} request validators compiled at build time`);
}
