// Money is an integer count of minor units (cents, öre). Never a float.

/** Upper bound Klarna documents for an order amount (order_amount, total_discount_amount). */
export const MAX_AMOUNT = 200_000_000;

export function isMinorUnits(value: unknown): value is number {
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

/**
 * An amount in minor units as a shopper reads it: the currency's own number of decimals in the
 * locale's style (12345 SEK in sv-SE: "123,45 kr"). An unusable locale falls back to en-US.
 */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  } catch {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}
