import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAmount, toMajorUnits } from '../domain/money.js';
import { parseMajorUnits } from './money.js';

describe('portal money', () => {
  it('parses major units exactly into minor units, by the currency\'s digits', () => {
    const ok: [string, string, number][] = [
      ['12.50', 'SEK', 1250],
      ['12.5', 'SEK', 1250],
      ['0.01', 'EUR', 1],
      ['0.29', 'EUR', 29], // 0.29 * 100 is 28.999999999999996 in floating point
      ['1200', 'JPY', 1200],
      ['1.234', 'KWD', 1234],
      ['2000000', 'SEK', 200_000_000],
    ];
    for (const [text, currency, minor] of ok) assert.deepEqual(parseMajorUnits(text, currency), { ok: true, minor }, `${text} ${currency}`);
    for (const [text, currency] of [['1.5', 'JPY'], ['1.001', 'SEK'], ['1,5', 'SEK'], [' ', 'SEK'], ['0', 'SEK'], ['2000000.01', 'SEK'], ['+1', 'SEK'], ['.5', 'SEK'], ['1.', 'SEK']]) {
      assert.equal(parseMajorUnits(text ?? '', currency ?? '').ok, false, `${text} ${currency}`);
    }
  });

  it('formats minor units for the locale without floating-point arithmetic', () => {
    assert.equal(toMajorUnits(5, 2), '0.05');
    assert.equal(toMajorUnits(100, 0), '100');
    assert.equal(formatAmount(1250, 'SEK', 'sv-SE'), '12,50\u00a0kr');
    assert.equal(formatAmount(123456, 'USD', 'en-US'), '$1,234.56');
    assert.equal(formatAmount(1234, 'KWD', 'en-US'), 'KWD\u00a01.234');
    assert.equal(formatAmount(9_007_199_254_740_991, 'EUR', 'en-US'), '€90,071,992,547,409.91');
    assert.equal(formatAmount(1250, 'SEK', 'not a locale'), 'SEK\u00a012.50');
  });
});
