// Aligned text for people: tables and key/value blocks, measured in terminal
// columns (a CJK character or an emoji takes two), so any title lines up.
// Apart from output.ts because measuring loads string-width, which a command
// that prints no table (bid, buy) need not pay for at start.
import { displayWidth as width, padToWidth as pad } from '../format/text.js';
import type { Paint, Style } from './output.js';

export interface Column<R> {
  header: string;
  align?: 'left' | 'right';
  value(row: R): string;
  style?(row: R): Style | undefined;
}

/** An aligned table with a header row; columns are two spaces apart, trailing spaces trimmed. */
export function table<R>(rows: readonly R[], columns: readonly Column<R>[], paint: Paint): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]!))));
  const line = (parts: string[]) => parts.join('  ').trimEnd();
  const header = line(columns.map((c, i) => paint('bold', pad(c.header, widths[i]!, c.align ?? 'left'))));
  const body = rows.map((row, r) =>
    line(columns.map((c, i) => paint(c.style?.(row), pad(cells[r]![i]!, widths[i]!, c.align ?? 'left')))),
  );
  return [header, ...body].join('\n');
}

/** Aligned `key  value` lines; keys dimmed; values right-aligned on request (for money). */
export function keyValues(
  pairs: readonly (readonly [string, string])[],
  paint: Paint,
  values: 'left' | 'right' = 'left',
): string {
  const keySize = Math.max(...pairs.map(([k]) => width(k)));
  const valueSize = values === 'right' ? Math.max(...pairs.map(([, v]) => width(v))) : 0;
  return pairs.map(([k, v]) => `${paint('dim', pad(k, keySize, 'left'))}  ${pad(v, valueSize, values)}`.trimEnd()).join('\n');
}
