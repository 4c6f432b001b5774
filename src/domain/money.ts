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
