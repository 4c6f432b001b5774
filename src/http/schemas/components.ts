// Named schemas: each is registered once by $id (app.ts adds them with app.addSchema) and
// referenced wherever it is used, so /openapi.json lists it once under #/components/schemas/<Name>
// and code generators give it a type of its own. A route or schema file names a schema where it
// defines it: `export const Capture = component('Capture', Obj({...}))`.
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

const registered = new Map<string, TSchema>();

/**
 * Registers schema as the component `name`, with examples of it if given, and returns a reference
 * to it, typed as the schema.
 */
export function component<T extends TSchema>(name: string, schema: T, examples?: Static<T>[]): TUnsafe<Static<T>> {
  if (registered.has(name)) throw new Error(`Schema component ${name} is defined twice`);
  registered.set(name, { ...schema, $id: name, ...(examples ? { examples } : {}) });
  // Type.Ref keeps TypeBox's Ref kind, so Value.Check resolves it against componentSchemas() too.
  return Type.Unsafe<Static<T>>(Type.Ref(name));
}

/** Every named schema, for app.addSchema and for checking values against references. */
export function componentSchemas(): TSchema[] {
  return [...registered.values()];
}
