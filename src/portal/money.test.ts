import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAmount, toMajorUnits } from '../domain/money.js';
import { amountInputText, parseAmount } from './money.js';

/** Locales and currencies the page may show, with how they write 1 234,50. */
const NOTATIONS: [locale: string, currency: string][] = [
  ['sv-SE', 'SEK'],
  ['en-US', 'USD'],
  ['de-DE', 'EUR'],
  ['es-ES', 'EUR'],
  ['fr-FR', 'EUR'],
  ['de-CH', 'CHF'],
  ['nb-NO', 'NOK'],
  ['en-GB', 'GBP'],
  ['ja-JP', 'JPY'],
  ['en-IN', 'INR'],
  ['ar-EG', 'EGP'],
  ['en-US', 'KWD'],
];

const minorOf = (text: string, currency: string, locale: string) => {
  const parsed = parseAmount(text, currency, locale);
  return parsed.ok ? parsed.minor : parsed.message;
};

describe('portal money: amounts typed as the page shows them', () => {
  it("reads the locale's decimal comma and a point alike, exactly into minor units by the currency's digits", () => {
    const ok: [text: string, currency: string, locale: string, minor: number][] = [
      ['12,50', 'SEK', 'sv-SE', 1250],
      ['12.50', 'SEK', 'sv-SE', 1250],
      ['12,5', 'SEK', 'sv-SE', 1250],
      ['0,29', 'EUR', 'de-DE', 29], // 0.29 * 100 is 28.999999999999996 in floating point
      ['0.01', 'EUR', 'de-DE', 1],
      ['12.50', 'EUR', 'de-DE', 1250],
      ['1200', 'JPY', 'ja-JP', 1200],
      ['1.234', 'KWD', 'en-US', 1234],
      ['2000000', 'SEK', 'sv-SE', 200_000_000],
      ['2 000 000,00', 'SEK', 'sv-SE', 200_000_000],
    ];
    for (const [text, currency, locale, minor] of ok) assert.equal(minorOf(text, currency, locale), minor, `${text} ${currency} ${locale}`);
  });

  it("reads the locale's thousands separators where the page groups digits that way, and the currency sign it shows", () => {
    const ok: [text: string, currency: string, locale: string, minor: number][] = [
      ['1 234,50', 'SEK', 'sv-SE', 123_450],
      ['1\u00a0234,50', 'SEK', 'sv-SE', 123_450],
      ['1 234.50', 'SEK', 'sv-SE', 123_450],
      ['60,00 kr', 'SEK', 'sv-SE', 6_000],
      ['SEK 60,00', 'SEK', 'sv-SE', 6_000],
      ['1,234.50', 'USD', 'en-US', 123_450],
      ['$1,234.50', 'USD', 'en-US', 123_450],
      ['1,234', 'USD', 'en-US', 123_400],
      ['1.234,50', 'EUR', 'de-DE', 123_450],
      ['1.234.567,00', 'EUR', 'de-DE', 123_456_700],
      ['1\u202f234,50', 'EUR', 'fr-FR', 123_450],
      ['1 234,50', 'EUR', 'fr-FR', 123_450],
      ["1'234.50", 'CHF', 'de-CH', 123_450],
      ['1\u2019234.50', 'CHF', 'de-CH', 123_450],
      ['1,200', 'JPY', 'ja-JP', 1_200],
      ['1,23,456.00', 'INR', 'en-IN', 12_345_600],
      ['١٢٫٥٠', 'EGP', 'ar-EG', 1_250],
    ];
    for (const [text, currency, locale, minor] of ok) assert.equal(minorOf(text, currency, locale), minor, `${text} ${currency} ${locale}`);
  });

  it('refuses a text that reads as two different amounts, saying how to write it instead', () => {
    assert.equal(minorOf('1.234', 'EUR', 'de-DE'), '"1.234" is ambiguous: "." may separate thousands or decimals. Type the decimals too, for example 1.234,00.');
    assert.match(String(minorOf('12.345', 'EUR', 'es-ES')), /is ambiguous.*for example 12\.345,00\./);
    assert.match(String(minorOf('1.500', 'KWD', 'de-DE')), /is ambiguous/);
  });

  it('refuses what is not an amount, with a message naming the problem and examples in the page\'s notation', () => {
    const refused: [text: string, currency: string, locale: string, message: string | RegExp][] = [
      ['abc', 'SEK', 'sv-SE', '"abc" is not an amount: type it as this page shows amounts, for example 12,50 or 1 234,50.'],
      ['12,50', 'USD', 'en-US', '"12,50" is not an amount: type it as this page shows amounts, for example 12.50 or 1,234.50.'],
      ['1.234,50', 'SEK', 'sv-SE', /is not an amount/], // not how sv-SE groups
      ['123,456.00', 'INR', 'en-IN', /is not an amount/], // en-IN groups 1,23,456
      ['1,2,3', 'USD', 'en-US', /is not an amount/],
      ['1,234', 'SEK', 'sv-SE', 'SEK amounts have at most 2 decimals.'],
      ['1.001', 'SEK', 'sv-SE', 'SEK amounts have at most 2 decimals.'],
      ['1.5', 'JPY', 'ja-JP', 'JPY amounts have no decimals.'],
      [' ', 'SEK', 'sv-SE', 'Enter an amount in SEK, for example 12,50 or 1 234,50.'],
      ['0', 'SEK', 'sv-SE', 'The amount must be more than zero.'],
      ['0,00', 'SEK', 'sv-SE', 'The amount must be more than zero.'],
      ['2000000.01', 'SEK', 'sv-SE', 'The amount must be at most 2\u00a0000\u00a0000,00\u00a0kr.'],
      ['99999999999999999999', 'SEK', 'sv-SE', /must be at most/],
      ['+1', 'SEK', 'sv-SE', /is not an amount/],
      ['-5', 'SEK', 'sv-SE', /is not an amount/],
      ['1e3', 'SEK', 'sv-SE', /is not an amount/],
      ['.5', 'SEK', 'sv-SE', /is not an amount/],
      ['1.', 'SEK', 'sv-SE', /is not an amount/],
      ['12,50,', 'SEK', 'sv-SE', /is not an amount/],
    ];
    for (const [text, currency, locale, message] of refused) {
      const got = minorOf(text, currency, locale);
      if (typeof message === 'string') assert.equal(got, message, `${text} ${currency} ${locale}`);
      else assert.match(String(got), message, `${text} ${currency} ${locale}`);
    }
  });

  it('reads back every amount exactly as the page shows it (with and without the currency), and as plain digits with a point', () => {
    const samples = [1, 9, 10, 29, 99, 100, 101, 999, 1_000, 1_234, 12_345, 99_999, 100_000, 123_450, 1_000_000, 12_345_678, 199_999_999, 200_000_000];
    for (const [locale, currency] of NOTATIONS) {
      for (const minor of samples) {
        const label = `${minor} ${currency} ${locale}`;
        assert.equal(minorOf(formatAmount(minor, currency, locale), currency, locale), minor, `${label} as ${formatAmount(minor, currency, locale)}`);
        assert.equal(minorOf(amountInputText(minor, currency, locale), currency, locale), minor, `${label} as ${amountInputText(minor, currency, locale)}`);
        const digits = currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2;
        const plain = toMajorUnits(minor, digits);
        // A point before exactly three digits is a thousands separator in de-DE and es-ES too.
        if (!(digits === 3 && ['de-DE', 'es-ES'].includes(locale))) assert.equal(minorOf(plain, currency, locale), minor, `${label} as ${plain}`);
      }
    }
  });

  it('writes amounts for the amount fields as the page shows them, without the currency sign', () => {
    assert.equal(amountInputText(6_000, 'SEK', 'sv-SE'), '60,00');
    assert.equal(amountInputText(123_450, 'SEK', 'sv-SE'), '1 234,50');
    assert.equal(amountInputText(123_450, 'EUR', 'de-DE'), '1.234,50');
    assert.equal(amountInputText(123_450, 'USD', 'en-US'), '1,234.50');
    assert.equal(amountInputText(5, 'USD', 'en-US'), '0.05');
    assert.equal(amountInputText(1_234, 'JPY', 'ja-JP'), '1,234');
    assert.equal(amountInputText(1_250, 'SEK', 'not a locale'), '12.50');
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
