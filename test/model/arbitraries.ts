// What the property tests draw, shared by the model's own (property.test.ts)
// and the daemon's against the model (test/daemon/rules/model-property.test.ts).
import fc from 'fast-check';
import { stepAt } from '../../src/protocol/increments.js';
import { nextBid } from './state.js';
import type { ModelAuction } from './types.js';

/** A fixed increment, the standard table, or a table of up to five rows. */
export const increments = fc.oneof(
  fc.record({ minIncrement: fc.integer({ min: 1, max: 50 }) }),
  fc.constant({ increments: 'standard' as const }),
  fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), { maxLength: 4 }).chain((froms) =>
    fc.array(fc.integer({ min: 1, max: 100 }), { minLength: froms.length + 1, maxLength: froms.length + 1 }).map((steps) => ({
      increments: [0, ...froms.sort((p, q) => p - q)].map((from, i) => ({ from, step: steps[i]! })),
    })),
  ),
);

/** An auction's money fields (its times are each test's own): reserve and buy-now as amounts above the start. */
export const lotMoney = {
  seller: fc.nat({ max: 1 }),
  startPrice: fc.integer({ min: 1, max: 300 }),
  increments,
  reserveAbove: fc.option(fc.integer({ min: 0, max: 800 }), { freq: 2 }),
  buyNowAbove: fc.option(fc.integer({ min: 0, max: 1000 }), { freq: 2 }),
  buyNowUntil: fc.constantFrom('price' as const, 'firstBid' as const, 'reserveMet' as const),
};

/** The amount `steps` increments past the minimum next bid (-1: one below it), a little off the grid. */
export function bidAmount(a: ModelAuction | undefined, steps: number): number {
  const min = (a && nextBid(a)) ?? a?.startPrice ?? 1;
  const step = a ? stepAt(a.increments, a.price ?? a.startPrice) : 1;
  return Math.max(1, steps < 0 ? min - 1 : min + steps * step + (steps % 3));
}
