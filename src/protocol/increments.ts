// Bid increments: how far the next bid must go past the current price. An
// auction has either one fixed step (`minIncrement`) or a table whose step
// grows with the price. Shared by the daemon, the CLI and the reference model;
// no I/O.
import { MAX_MONEY } from './money.js';

/** From `from` (inclusive) upward, until the next row's `from`, bids go up by `step`. */
export interface IncrementStep {
  from: number;
  step: number;
}

/** Rows in ascending `from`, the first from 0; every step positive. */
export type IncrementTable = readonly IncrementStep[];

/** Most rows a table may have (a table is stored and sent with every auction). */
export const MAX_INCREMENT_ROWS = 50;

/**
 * Shaped like eBay's published US table, read in the smallest unit (cents):
 * under 1.00 by 0.05, then 0.25, 0.50, 1, 2.50, 5, 10, 25, 50, and from
 * 5,000.00 up by 100.
 */
export const standardIncrements: IncrementTable = [
  { from: 0, step: 5 },
  { from: 100, step: 25 },
  { from: 500, step: 50 },
  { from: 2_500, step: 100 },
  { from: 10_000, step: 250 },
  { from: 25_000, step: 500 },
  { from: 50_000, step: 1_000 },
  { from: 100_000, step: 2_500 },
  { from: 250_000, step: 5_000 },
  { from: 500_000, step: 10_000 },
];

/** The one-row table of a fixed increment. */
export function fixedIncrements(minIncrement: number): IncrementTable {
  return [{ from: 0, step: minIncrement }];
}

/**
 * What is wrong with a table, as a sentence, or null when it is valid:
 * 1 to MAX_INCREMENT_ROWS rows of whole `from` ≥ 0 and `step` ≥ 1, the first
 * `from` 0, each `from` above the one before.
 */
export function incrementTableProblem(table: unknown): string | null {
  if (!Array.isArray(table)) return 'increments must be a list of {from, step}';
  if (table.length === 0 || table.length > MAX_INCREMENT_ROWS) {
    return `increments must have 1 to ${MAX_INCREMENT_ROWS} rows`;
  }
  let previous = -1;
  for (const [i, row] of table.entries()) {
    const r = row as Partial<IncrementStep> | null;
    if (typeof r !== 'object' || r === null || Object.keys(r).some((k) => k !== 'from' && k !== 'step')) {
      return `increments[${i}] must be {from, step}`;
    }
    if (!isWhole(r.from, 0)) return `increments[${i}].from must be a whole number of at least 0`;
    if (!isWhole(r.step, 1)) return `increments[${i}].step must be a whole number of at least 1`;
    if (i === 0 && r.from !== 0) return 'increments[0].from must be 0';
    if (r.from <= previous) return `increments[${i}].from must be above increments[${i - 1}].from`;
    previous = r.from;
  }
  return null;
}

function isWhole(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= MAX_MONEY;
}

/** The step that applies at `price`: the row with the greatest `from` not above it. */
export function stepAt(table: IncrementTable, price: number): number {
  let step = table[0]!.step;
  for (const row of table) {
    if (row.from > price) break;
    step = row.step;
  }
  return step;
}

/**
 * The smallest bid the rules accept next on an open auction: the start price
 * before the first bid, then the price plus the step at the price; null when
 * that would pass the largest amount of money.
 */
export function minNextBid(a: { startPrice: number; currentPrice: number | null; increments: IncrementTable }): number | null {
  if (a.currentPrice === null) return a.startPrice;
  const next = a.currentPrice + stepAt(a.increments, a.currentPrice);
  return next > MAX_MONEY ? null : next;
}
