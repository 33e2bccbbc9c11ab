import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, groupThousands, MAX_MONEY, parseMoney } from '../../src/protocol/money.js';

describe('formatMoney', () => {
  it('groups thousands with commas', () => {
    expect(formatMoney(0)).toBe('0');
    expect(formatMoney(999)).toBe('999');
    expect(formatMoney(1000)).toBe('1,000');
    expect(formatMoney(1_234_567)).toBe('1,234,567');
    expect(formatMoney(MAX_MONEY)).toBe('9,007,199,254,740,991');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(undefined)).toBe('—');
  });

  it('agrees with en-US number formatting for every safe integer, and parseMoney reads it back', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(groupThousands(n)).toBe(n.toLocaleString('en-US', { maximumFractionDigits: 0 }));
        if (n >= 0) expect(parseMoney(formatMoney(n))).toBe(n);
      }),
    );
  });
});
