// How times and clock offsets read on the portal's pages. Times are shown in UTC, as stored: a
// page rendered on the server cannot know the reader's time zone, and UTC is unambiguous.
import { html, type SafeHtml } from '../../html.js';

/** "2025-11-19 01:51:17 UTC" for an ISO time (or the text as it is, if it is none). */
export function timeText(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace(/\.\d{3}Z$/, ' UTC').replace('T', ' ');
}

/** timeText in a <time> element that carries the exact ISO value. */
export function time(value: Date | string): SafeHtml {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return html`${String(value)}`;
  return html`<time datetime="${date.toISOString().replace(/\.\d{3}Z$/, 'Z')}">${timeText(date)}</time>`;
}

/** 266400 → "3 days 2 h"; 90 → "1 min 30 s". */
export function duration(totalSeconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = totalSeconds;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(name === 'day' ? `${n} day${n === 1 ? '' : 's'}` : `${n} ${name}`);
  }
  return parts.slice(0, 2).join(' ') || '0 s';
}
