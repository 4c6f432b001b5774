// Klarna renders timestamps as ISO 8601 UTC with second precision: 2025-11-19T01:51:17Z.
export function toKlarnaTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether text, already a JSON-schema date-time, is one a Date can hold. The format admits some
 * that JavaScript cannot read, such as leap seconds (23:59:60) and hour-only offsets (+01).
 */
export function isReadableTimestamp(text: string): boolean {
  return !Number.isNaN(new Date(text).getTime());
}
