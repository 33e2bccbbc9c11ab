// Increment tables: validation, the step at a price, and the minimum next bid.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fixedIncrements, incrementTableProblem, MAX_INCREMENT_ROWS, minNextBid, standardIncrements, stepAt,
} from '../../src/protocol/increments.js';
import { MAX_MONEY } from '../../src/protocol/money.js';

describe('incrementTableProblem', () => {
  it('accepts a fixed increment, the standard table and an ascending table from 0', () => {
    expect(incrementTableProblem(fixedIncrements(10))).toBeNull();
    expect(incrementTableProblem(standardIncrements)).toBeNull();
    expect(incrementTableProblem([{ from: 0, step: 10 }, { from: 1000, step: 50 }, { from: 5000, step: 5 }])).toBeNull();
  });

  it('names the problem with each kind of bad table', () => {
    const cases: [unknown, RegExp][] = [
      ['standard', /list/],
      [{ from: 0, step: 1 }, /list/],
      [[], /1 to 50 rows/],
      [Array.from({ length: MAX_INCREMENT_ROWS + 1 }, (_, i) => ({ from: i, step: 1 })), /1 to 50 rows/],
      [[{ from: 10, step: 1 }], /increments\[0\]\.from must be 0/],
      [[{ from: 0, step: 0 }], /increments\[0\]\.step must be a whole number of at least 1/],
      [[{ from: 0, step: -5 }], /step/],
      [[{ from: 0, step: 1.5 }], /step/],
      [[{ from: 0, step: '5' }], /step/],
      [[{ from: 0 }], /step/],
      [[{ from: 0, step: 1 }, { from: -1, step: 1 }], /increments\[1\]\.from must be a whole number/],
      [[{ from: 0, step: 1 }, { from: 100, step: 2 }, { from: 100, step: 3 }], /increments\[2\]\.from must be above increments\[1\]\.from/],
      [[{ from: 0, step: 1 }, { from: 100, step: 2 }, { from: 50, step: 3 }], /increments\[2\]\.from must be above/],
      [[{ from: 0, step: 1, extra: 1 }], /increments\[0\] must be \{from, step\}/],
      [[null], /increments\[0\] must be/],
      [[{ from: 0, step: MAX_MONEY + 1 }], /step/],
    ];
    for (const [table, problem] of cases) expect(incrementTableProblem(table), JSON.stringify(table)).toMatch(problem);
  });
});

describe('stepAt', () => {
  const table = [{ from: 0, step: 10 }, { from: 1000, step: 50 }, { from: 5000, step: 100 }];

  it('uses the row with the greatest from not above the price (each from inclusive)', () => {
    expect(stepAt(table, 0)).toBe(10);
    expect(stepAt(table, 999)).toBe(10);
    expect(stepAt(table, 1000)).toBe(50);
    expect(stepAt(table, 4999)).toBe(50);
    expect(stepAt(table, 5000)).toBe(100);
    expect(stepAt(table, MAX_MONEY)).toBe(100);
  });

  it('follows eBay\'s published bands in the standard table (in cents)', () => {
    const bands: [number, number][] = [[1, 5], [99, 5], [100, 25], [499, 25], [500, 50], [2499, 50], [2500, 100],
      [9999, 100], [10_000, 250], [24_999, 250], [25_000, 500], [49_999, 500], [50_000, 1000], [99_999, 1000],
      [100_000, 2500], [249_999, 2500], [250_000, 5000], [499_999, 5000], [500_000, 10_000], [10_000_000, 10_000]];
    for (const [price, step] of bands) expect(stepAt(standardIncrements, price), String(price)).toBe(step);
  });

  it('agrees with a plain scan of the table for any price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MONEY }), (price) => {
        const row = [...standardIncrements].reverse().find((r) => r.from <= price)!;
        expect(stepAt(standardIncrements, price)).toBe(row.step);
      }),
    );
  });
});

describe('minNextBid', () => {
  it('is the start price before the first bid, then the price plus the step at the price', () => {
    const increments = [{ from: 0, step: 10 }, { from: 1000, step: 50 }];
    expect(minNextBid({ startPrice: 500, currentPrice: null, increments })).toBe(500);
    expect(minNextBid({ startPrice: 500, currentPrice: 990, increments })).toBe(1000);
    expect(minNextBid({ startPrice: 500, currentPrice: 1000, increments })).toBe(1050);
    expect(minNextBid({ startPrice: 1, currentPrice: 7, increments: fixedIncrements(3) })).toBe(10);
  });

  it('is null when no higher bid fits in a safe integer', () => {
    expect(minNextBid({ startPrice: 1, currentPrice: MAX_MONEY - 9, increments: fixedIncrements(10) })).toBeNull();
    expect(minNextBid({ startPrice: 1, currentPrice: MAX_MONEY - 10, increments: fixedIncrements(10) })).toBe(MAX_MONEY);
  });
});
