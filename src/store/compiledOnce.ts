// The hottest reads (GET's order lookup, the sandbox fault check) run on every request. Building and
// compiling a Kysely query costs more than SQLite takes to run it, so these are compiled once per
// store with a placeholder for each parameter, and each call only substitutes its values.
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Store } from './dialect.js';
import type { Database } from './schema.js';

export function compiledOnce<Slot extends string, R>(
  slots: readonly Slot[],
  build: (db: Kysely<Database>, placeholders: Record<Slot, string>) => Compilable<R>,
): (store: Store, values: Record<Slot, unknown>) => CompiledQuery<R> {
  const placeholders = Object.fromEntries(slots.map((slot) => [slot, `\u0000${slot}`])) as Record<Slot, string>;
  const slotOf = new Map<unknown, Slot>(slots.map((slot) => [placeholders[slot], slot]));
  const templates = new WeakMap<Store, CompiledQuery<R>>();
  return (store, values) => {
    let template = templates.get(store);
    if (!template) {
      template = build(store.db, placeholders).compile();
      templates.set(store, template);
    }
    return {
      ...template,
      parameters: template.parameters.map((p) => {
        const slot = slotOf.get(p);
        return slot === undefined ? p : values[slot];
      }),
    };
  };
}
