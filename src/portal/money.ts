// Amounts as people read and type them: in the currency's major unit ("12.50"), while OpenOM
// counts integer minor units (1250). No floating point touches an amount: formatting hands
// Intl.NumberFormat an exact decimal string, and parsing works on the digits.
import { MAX_AMOUNT } from '../domain/money.js';

const FALLBACK_LOCALE = 'en-US';
const formatters = new Map<string, Intl.NumberFormat>();
const MAX_FORMATTERS = 1_000;

function formatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}\u0000${currency}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      // A locale or currency Intl does not know: still show the amount, in a locale it does.
      f = new Intl.NumberFormat(FALLBACK_LOCALE, { style: 'currency', currency: /^[A-Z]{3}$/.test(currency) ? currency : 'XXX' });
    }
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

/** How many minor-unit digits the currency has (ISO 4217 as Intl knows it: SEK 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  return formatter(FALLBACK_LOCALE, currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 1250, 2 → "12.50"; 5, 2 → "0.05"; 100, 0 → "100". */
export function toMajorUnits(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** An amount in minor units, formatted for the order's locale: 1250 SEK in sv-SE → "12,50 kr". */
export function formatAmount(minor: number, currency: string, locale: string): string {
  const f = formatter(locale, currency);
  // Node 20's Intl formats decimal strings exactly (Intl.NumberFormat v3); the cast is for TypeScript's lib.
  return f.format(toMajorUnits(minor, currencyDigits(currency)) as unknown as number);
}

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

/** "12.50" in a 2-digit currency → 1250. Digits and at most one decimal point; no signs, spaces or grouping. */
export function parseMajorUnits(text: string, currency: string): ParsedAmount {
  const digits = currencyDigits(currency);
  const example = digits === 0 ? '1250' : `12.${'5'.padEnd(digits, '0')}`;
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: `Enter an amount in ${currency}, for example ${example}.` };
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(trimmed);
  if (!match) return { ok: false, message: `"${trimmed.slice(0, 40)}" is not an amount: use digits and a point, for example ${example}.` };
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > digits) {
    return { ok: false, message: digits === 0 ? `${currency} amounts have no decimals.` : `${currency} amounts have at most ${digits} decimals.` };
  }
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  if (minor < 1) return { ok: false, message: 'The amount must be more than zero.' };
  if (minor > MAX_AMOUNT) return { ok: false, message: `The amount must be at most ${toMajorUnits(MAX_AMOUNT, digits)} ${currency}.` };
  return { ok: true, minor };
}
