// Klarna renders timestamps as ISO 8601 UTC with second precision: 2025-11-19T01:51:17Z.
export function toKlarnaTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const DAY_MS = 24 * 60 * 60 * 1000;
