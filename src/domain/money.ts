// Money is an integer count of minor units (cents, öre). Never a float.

/** Upper bound Klarna documents for an order amount (order_amount, total_discount_amount). */
export const MAX_AMOUNT = 200_000_000;

function isMinorUnits(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Sums integers, refusing to leave the safe-integer range so a sum can never be silently rounded. */
export function sumAmounts(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) {
    total += v;
    if (!Number.isSafeInteger(total)) throw new RangeError('amount sum left the safe integer range');
  }
  return total;
}

/**
 * An amount a request asks to move: a safe integer within [min, MAX_AMOUNT]. The HTTP schemas
 * already enforce this; the domain checks again so no caller can ever write NaN, a fraction or a
 * negative amount into an order.
 */
export function amountProblem(value: number, field: string, min: number): string | undefined {
  if (!isMinorUnits(value)) return `Bad value: ${field} (must be an integer amount in minor units)`;
  if (value < min || value > MAX_AMOUNT) return `Bad value: ${field} (must be between ${min} and ${MAX_AMOUNT})`;
  return undefined;
}

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

/**
 * An amount in minor units as people read it, in the currency's own number of decimals and the
 * locale's style: 1250 SEK in sv-SE → "12,50 kr". No floating point: Intl gets an exact decimal string.
 */
export function formatAmount(minor: number, currency: string, locale: string): string {
  return formatter(locale, currency).format(exactDecimal(toMajorUnits(minor, currencyDigits(currency))));
}

/**
 * formatAmount's output for an amount in major units given as a decimal string ("1234.5"), in parts
 * (integer, group, decimal, fraction, currency, literal): for reading amounts back as they are shown.
 */
export function formatMajorUnitsToParts(major: string, currency: string, locale: string, fractionDigits = currencyDigits(currency)): Intl.NumberFormatPart[] {
  const shown = formatter(locale, currency);
  const f = fractionDigits === currencyDigits(currency) ? shown : new Intl.NumberFormat(shown.resolvedOptions().locale, { ...shown.resolvedOptions(), minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
  return f.formatToParts(exactDecimal(major));
}

/** Node 20's Intl formats decimal strings exactly (Intl.NumberFormat v3); the cast is for TypeScript's lib. */
const exactDecimal = (decimal: string) => decimal as unknown as number;
