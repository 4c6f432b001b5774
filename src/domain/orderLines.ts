// Arithmetic rules Klarna applies to order lines; field types and ranges are in the HTTP schemas.
import { refuse, type Refusal } from './decision.js';
import { sumAmounts } from './money.js';

export interface OrderLineAmounts {
  quantity: number;
  unit_price: number;
  total_amount: number;
  total_discount_amount?: number;
  total_tax_amount?: number;
}

/** Each line's total_amount must equal quantity * unit_price - total_discount_amount. */
export function checkLineArithmetic(lines: readonly OrderLineAmounts[], field = 'order_lines'): Refusal | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const expected = line.quantity * line.unit_price - (line.total_discount_amount ?? 0);
    if (!Number.isSafeInteger(expected) || expected !== line.total_amount) {
      return refuse(
        'BAD_VALUE',
        `Bad value: ${field}[${i}].total_amount (must equal quantity * unit_price - total_discount_amount = ${expected})`,
      );
    }
  }
  return undefined;
}

/** Lines must add up to the order amount they describe (or, with part total_tax_amount, to its tax). */
export function checkLinesSum(
  lines: readonly OrderLineAmounts[],
  amount: number,
  amountField: string,
  field = 'order_lines',
  part: 'total_amount' | 'total_tax_amount' = 'total_amount',
): Refusal | undefined {
  const sum = sumAmounts(lines.map((l) => l[part] ?? 0));
  if (sum !== amount) {
    return refuse('BAD_VALUE', `Bad value: ${amountField} (must equal the sum of ${field}[].${part} = ${sum})`);
  }
  return undefined;
}
