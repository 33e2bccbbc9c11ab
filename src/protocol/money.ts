// Money is an integer count of the smallest unit. Parsing and formatting live
// here so that every edge (CLI flags, TUI inputs, reports) agrees.

export const MAX_MONEY = Number.MAX_SAFE_INTEGER;

/** True for a whole, non-negative amount that survives JSON and BIGINT round trips. */
export function isMoney(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses an amount typed by a person: `10000`, `10_000` or `10,000`.
 * Returns null for anything else (fractions, signs, exponents, empty, too large).
 */
export function parseMoney(text: string): number | null {
  const s = text.trim();
  const plain = /^\d+$/.test(s);
  const commas = /^\d{1,3}(?:,\d{3})+$/.test(s);
  const underscores = /^\d+(?:_\d+)+$/.test(s);
  if (!plain && !commas && !underscores) return null;
  const n = Number(s.replace(/[,_]/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** Formats an amount with thousands separators: 1234567 → "1,234,567". */
export function formatMoney(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  return amount.toLocaleString('en-US', { maximumFractionDigits: 0 });
}
