// The request validators as the build makes them (scripts/generate-validators.ts), loaded as the
// server loads dist/validators.mjs, for tests of the precompiled path. Set
// OPENOM_TEST_PRECOMPILED_VALIDATORS=1 to run any test file's apps with them (startTestApp).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { recordValidators } from '../../scripts/generate-validators.js';
import { loadPrecompiledValidators, validatorsModule, type PrecompiledValidators } from '../../src/http/precompiledValidators.js';

let loaded: Promise<PrecompiledValidators> | undefined;

/** Recorded once per test process, written to a temporary module and imported. */
export function precompiledValidators(): Promise<PrecompiledValidators> {
  loaded ??= (async () => {
    // Unbundled, the generated code's require()s of Ajv's helpers resolve from this project.
    const requireFromProject = `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(import.meta.url)});\n`;
    const dir = mkdtempSync(join(tmpdir(), 'openom-validators-'));
    try {
      const file = join(dir, 'validators.mjs');
      writeFileSync(file, requireFromProject + validatorsModule(await recordValidators()));
      const validators = await loadPrecompiledValidators(pathToFileURL(file));
      if (!validators) throw new Error('the generated validators did not load');
      return validators;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return loaded;
}
