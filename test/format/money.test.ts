// Amounts as people type and read them: separators on the way in and out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, groupThousands, parseMoney } from '../../src/format/money.js';
import { isMoney, MAX_MONEY } from '../../src/protocol/money.js';

describe('parseMoney', () => {
  it('reads plain digits, thousands commas and underscores', () => {
    expect(parseMoney('10000')).toBe(10_000);
    expect(parseMoney(' 10,000 ')).toBe(10_000);
    expect(parseMoney('1,234,567')).toBe(1_234_567);
    expect(parseMoney('10_000')).toBe(10_000);
    expect(parseMoney('0')).toBe(0);
    expect(parseMoney('9007199254740991')).toBe(MAX_MONEY);
  });

  it('refuses fractions, signs, exponents, misplaced separators and unsafe sizes', () => {
    for (const text of ['', ' ', '1.5', '1.0', '-5', '+5', '1e3', '0x10', '10,00', '1,0000', ',100', '100,', '1__0', '_1', 'ten',
      '9007199254740992', '9007199254740993', '9'.repeat(400), 'Infinity', 'NaN', '１２３']) {
      expect(parseMoney(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('reads back whatever formatMoney wrote, for every safe amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MONEY }), (n) => {
        expect(parseMoney(formatMoney(n))).toBe(n);
        expect(parseMoney(String(n))).toBe(n);
      }),
    );
  });

  it('never returns anything but null or a safe non-negative integer', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const n = parseMoney(text);
        expect(n === null || isMoney(n)).toBe(true);
      }),
    );
  });
});

describe('formatMoney', () => {
  it('groups thousands with commas and shows a dash for no amount', () => {
    expect(formatMoney(0)).toBe('0');
    expect(formatMoney(999)).toBe('999');
    expect(formatMoney(1000)).toBe('1,000');
    expect(formatMoney(1_234_567)).toBe('1,234,567');
    expect(formatMoney(MAX_MONEY)).toBe('9,007,199,254,740,991');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(undefined)).toBe('—');
  });

  it('agrees with en-US number formatting for every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(groupThousands(n)).toBe(n.toLocaleString('en-US', { maximumFractionDigits: 0 }));
      }),
    );
  });
});
