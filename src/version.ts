// OpenOM's version, as package.json gives it; sent as User-Agent on every outgoing call.
import { createRequire } from 'node:module';

const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

export const OPENOM_VERSION: string = packageJson.version;
