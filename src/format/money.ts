// Amounts as people type and read them, so that every screen (CLI flags and
// tables, TUI inputs, demo and reports) agrees. The wire form is src/protocol/money.ts.

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

/**
 * A whole number with thousands separators: 1234567 → "1,234,567". Written out
 * rather than with toLocaleString, whose first call loads ICU data and costs a
 * one-shot CLI command 10–30 ms.
 */
export function groupThousands(n: number): string {
  const digits = String(Math.abs(Math.round(n)));
  return `${n < 0 && digits !== '0' ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** Formats an amount with thousands separators: 1234567 → "1,234,567"; no amount is "—". */
export function formatMoney(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  return groupThousands(amount);
}
