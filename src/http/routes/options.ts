import type { Config } from '../../config.js';
import type { Store } from '../../store/dialect.js';

export interface RoutesOptions {
  store: Store;
  config: Config;
}
