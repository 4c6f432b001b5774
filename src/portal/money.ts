// Amounts as people type them: in the currency's major unit ("12.50"), while OpenOM counts integer
// minor units (1250). Parsing works on the digits, never through floating point; formatting is the
// domain's (src/domain/money.ts).
import { MAX_AMOUNT, currencyDigits, toMajorUnits } from '../domain/money.js';

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
