// Money on the wire: an integer count of the smallest unit, a safe integer in
// JSON and a BIGINT in SQL. How people type and read amounts is src/format/money.ts.

export const MAX_MONEY = Number.MAX_SAFE_INTEGER;

/** True for a whole, non-negative amount that survives JSON and BIGINT round trips. */
export function isMoney(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
