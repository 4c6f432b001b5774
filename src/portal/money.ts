// Amounts as people type them: in the currency's major unit, written as the order's page shows
// money in its locale ("1 234,50" in sv-SE, "1.234,50" in de-DE, "1,234.50" in en-US), or plainly
// with a point ("1234.50"), while OpenOM counts integer minor units (123450). Parsing works on the
// digits, never through floating point; formatting is the domain's (src/domain/money.ts), and the
// separators, numerals and currency sign accepted are the ones that formatting writes.
import { MAX_AMOUNT, currencyDigits, formatAmount, formatMajorUnitsToParts } from '../domain/money.js';

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

/** How a locale writes amounts of a currency, as formatAmount does; space-like group separators read as one plain space. */
interface Notation {
  decimal: string;
  group: string;
  /** The locale's digits 0–9, in that order ("0123456789" for Latin digits). */
  numerals: string;
  /** The currency sign the page shows ("kr", "€", "$"). */
  sign: string;
}

const SPACES = /[\s\u00a0\u202f]/g;
/** Direction marks that right-to-left locales put around amounts: invisible, never part of the number. */
const DIRECTION_MARKS = /[\u200e\u200f\u061c]/g;
const plainSpaces = (text: string) => text.replace(SPACES, ' ');
// Swiss German groups with an apostrophe, which ICU writes as ' or ’ depending on its version.
const APOSTROPHES = /^['\u2019]$/;
const APOSTROPHES_ALL = /['\u2019]/g;

function notationOf(currency: string, locale: string): Notation {
  const parts = formatMajorUnitsToParts('1234567890.5', currency, locale, 1);
  const part = (type: Intl.NumberFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const integer = parts.filter((p) => p.type === 'integer').map((p) => p.value).join('');
  // "1234567890" in the locale's digits: its last character is the locale's 0.
  const numerals = [...integer].length === 10 ? [...integer].slice(-1).concat([...integer].slice(0, -1)).join('') : '0123456789';
  return { decimal: part('decimal') || '.', group: plainSpaces(part('group')), numerals, sign: part('currency') };
}

/** The text with the locale's digits as Latin ones, every space as a plain one, and either apostrophe as the Swiss group sign. */
function normalized(text: string, notation: Notation): string {
  const latin = [...text].map((c) => {
    const digit = notation.numerals.indexOf(c);
    return digit >= 0 ? String(digit) : c;
  });
  const spaced = plainSpaces(latin.join('').replace(DIRECTION_MARKS, ''));
  return APOSTROPHES.test(notation.group) ? spaced.replace(APOSTROPHES_ALL, notation.group) : spaced;
}

/** The currency's sign or code before or after the number, as shown on the page, is not part of it. */
function withoutCurrency(text: string, currency: string, notation: Notation): string {
  let rest = text.trim();
  for (const sign of [notation.sign, currency].filter(Boolean)) {
    const lower = rest.toLowerCase();
    const s = sign.toLowerCase();
    if (lower.startsWith(s)) rest = rest.slice(sign.length).trim();
    else if (lower.endsWith(s)) rest = rest.slice(0, -sign.length).trim();
  }
  return rest;
}

/** Integer digits as the page groups them ("1 234 567" in sv-SE), with Latin digits and plain spaces. */
function groupedAsShown(digits: string, currency: string, locale: string, notation: Notation): string {
  const parts = formatMajorUnitsToParts(digits, currency, locale, 0);
  return normalized(
    parts
      .filter((p) => p.type === 'integer' || p.type === 'group')
      .map((p) => p.value)
      .join(''),
    notation,
  );
}

interface Reading {
  whole: string;
  fraction: string;
}

/**
 * The ways the text reads as an amount: with the locale's decimal sign or a point as the decimal
 * sign (or none), the whole part either plain digits or grouped exactly as the page groups it.
 */
function readingsOf(text: string, currency: string, locale: string, notation: Notation): Reading[] {
  const readings = new Map<string, Reading>();
  for (const decimal of new Set([notation.decimal, '.'])) {
    const pieces = text.split(decimal);
    if (pieces.length > 2) continue;
    const [whole = '', fraction = ''] = pieces;
    if (pieces.length === 2 && !/^\d+$/.test(fraction)) continue;
    let digits: string | undefined;
    if (/^\d+$/.test(whole)) digits = whole;
    else if (notation.group !== '' && notation.group !== decimal && whole.includes(notation.group)) {
      const ungrouped = whole.replaceAll(notation.group, '');
      if (/^\d+$/.test(ungrouped) && groupedAsShown(ungrouped, currency, locale, notation) === whole) digits = ungrouped;
    }
    if (digits === undefined) continue;
    const reading = { whole: digits, fraction };
    // "12.50" and "12,50" read the same in sv-SE; only readings of different amounts compete.
    readings.set(`${digits.replace(/^0+/, '')}.${fraction.replace(/0+$/, '')}`, reading);
  }
  return [...readings.values()];
}

/** The amount in the way the page shows it, without the currency sign: "1 234,50" (plain spaces). */
export function amountInputText(minor: number, currency: string, locale: string): string {
  const digits = currencyDigits(currency);
  const major = String(minor).padStart(digits + 1, '0');
  const decimal = digits === 0 ? major : `${major.slice(0, -digits)}.${major.slice(-digits)}`;
  return plainSpaces(
    formatMajorUnitsToParts(decimal, currency, locale)
      .filter((p) => p.type === 'integer' || p.type === 'group' || p.type === 'decimal' || p.type === 'fraction')
      .map((p) => p.value)
      .join(''),
  );
}

/**
 * "12,50", "12.50", "1 234,50" in sv-SE → 1250 / 1250 / 123450 minor units of SEK. Digits, the
 * locale's decimal sign or a point, the locale's grouping as the page shows it, and the currency's
 * sign; no signs or exponents. A text that reads as two different amounts ("1.234" in de-DE: one
 * thousand and more, or one and a bit) is refused as ambiguous rather than guessed.
 */
export function parseAmount(text: string, currency: string, locale: string): ParsedAmount {
  const digits = currencyDigits(currency);
  const notation = notationOf(currency, locale);
  // 12.50 and 1234.50 (125 and 1234 where the currency has no decimals), as the page writes them.
  const scale = (major: string) => Number(`${major}${'0'.repeat(digits)}`.slice(0, major.length - 2 + digits) || '0');
  const example = `${amountInputText(scale('1250'), currency, locale)} or ${amountInputText(scale('123450'), currency, locale)}`;
  const shown = text.trim().slice(0, 40);
  const clean = withoutCurrency(normalized(text, notation), currency, notation);
  if (clean === '') return { ok: false, message: `Enter an amount in ${currency}, for example ${example}.` };
  const readings = readingsOf(clean, currency, locale, notation);
  const [reading, other] = readings;
  if (!reading) return { ok: false, message: `"${shown}" is not an amount: type it as this page shows amounts, for example ${example}.` };
  if (other) {
    const grouped = readings.find((r) => r.fraction === '') ?? reading;
    const instead = digits === 0 ? grouped.whole : amountInputText(Number(`${grouped.whole}${'0'.repeat(digits)}`), currency, locale);
    return {
      ok: false,
      message: `"${shown}" is ambiguous: "${notation.group}" may separate thousands or decimals. Type the decimals too, for example ${instead}.`,
    };
  }
  if (reading.fraction.length > digits) {
    return { ok: false, message: digits === 0 ? `${currency} amounts have no decimals.` : `${currency} amounts have at most ${digits} decimals.` };
  }
  const minorText = `${reading.whole}${reading.fraction.padEnd(digits, '0')}`.replace(/^0+/, '');
  // Past 15 digits a Number is no longer exact; anything that long is far above the limit anyway.
  const minor = minorText.length > 15 ? Number.POSITIVE_INFINITY : Number(minorText || '0');
  if (minor < 1) return { ok: false, message: 'The amount must be more than zero.' };
  if (minor > MAX_AMOUNT) return { ok: false, message: `The amount must be at most ${formatAmount(MAX_AMOUNT, currency, locale)}.` };
  return { ok: true, minor };
}
