// OpenOM's version, as package.json gives it: sent as User-Agent on every outgoing call, printed by
// `openom --version`. Imported rather than read at run time, so that each bundle carries it
// wherever it runs from.
import packageJson from '../package.json' with { type: 'json' };

export const OPENOM_VERSION: string = packageJson.version;
