import type { Store } from '../../store/dialect.js';

export interface RoutesOptions {
  store: Store;
}
