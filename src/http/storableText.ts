// CONTRACT §2: text is stored and returned exactly, on both stores. PostgreSQL cannot hold U+0000
// in text, and an unpaired UTF-16 surrogate has no UTF-8 form (the stores would keep U+FFFD, in
// different numbers), so either one is refused where a request comes in, naming where it was,
// before anything reaches a store.
import type { FastifyRequest } from 'fastify';
import { badValue, type ApiError } from './errors.js';

// With the u flag, \p{Cs} matches only a surrogate that is not half of a pair.
// eslint-disable-next-line no-control-regex -- U+0000 is what this looks for
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Why text cannot be stored exactly, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  const found = UNSTORABLE.exec(text)?.[0];
  if (found === undefined) return undefined;
  const code = `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return found === '\u0000' ? `contains ${code}, which cannot be stored` : `contains an unpaired surrogate ${code}, which cannot be stored`;
}

/** The first string in a parsed JSON value that cannot be stored: its path ("order_lines[0].name") and why. */
function findUnstorable(value: unknown, path: string): { path: string; reason: string } | undefined {
  if (typeof value === 'string') {
    const reason = unstorableReason(value);
    return reason === undefined ? undefined : { path, reason };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  // URLSearchParams: the portal's forms.
  for (const [key, item] of value instanceof URLSearchParams ? value : Object.entries(value)) {
    const found = findUnstorable(item, path === '' ? key : `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Request headers whose values are stored (the correlation id is filtered to a safe alphabet instead). */
const STORED_HEADERS: [string, string][] = [['klarna-idempotency-key', 'Klarna-Idempotency-Key']];

/**
 * Runs after schema validation, so a JSON body holds only the fields that will be kept (unknown
 * ones are already dropped): path parameters, query, stored headers, then the body.
 */
export function unstorableInput(request: FastifyRequest): ApiError | undefined {
  // An unknown route stores nothing: it stays a 404, whatever its URL holds.
  if (request.is404) return undefined;
  const found =
    findUnstorable(request.params, '') ??
    findUnstorable(request.query, '') ??
    STORED_HEADERS.map(([name, label]) => findUnstorable(request.headers[name], label)).find((f) => f !== undefined) ??
    findUnstorable(request.body, '');
  return found && badValue(`Bad value: ${found.path || 'body'} (${found.reason})`);
}
