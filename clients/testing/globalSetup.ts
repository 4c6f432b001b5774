// A global setup for a whole test run: one OpenOM for every test file, found through
// OPENOM_TEST_URL and OPENOM_TEST_ADMIN_TOKEN (test processes inherit them).
//   Node ≥ 24:  node --test --test-global-setup=clients/testing/globalSetup.ts
//   Jest:       globalSetup / globalTeardown pointing at this module's two functions
//   Vitest:     globalSetup: ['clients/testing/globalSetup.ts'] (the default export returns the teardown)
import { startOpenOM, type RunningOpenOM } from './openom.js';

let running: RunningOpenOM | undefined;

export async function globalSetup(): Promise<void> {
  running = await startOpenOM();
  process.env.OPENOM_TEST_URL = running.url;
  process.env.OPENOM_TEST_ADMIN_TOKEN = running.adminToken;
}

export async function globalTeardown(): Promise<void> {
  await running?.stop();
  running = undefined;
}

export default async function vitestGlobalSetup(): Promise<() => Promise<void>> {
  await globalSetup();
  return globalTeardown;
}
