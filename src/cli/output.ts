// Human output: colour (only on a TTY, never with NO_COLOR), aligned tables and
// key/value blocks, times. Machine output is plain JSON and needs none of this.
import { formatDuration } from '../protocol/duration.js';
import { displayWidth as width, padToWidth as pad } from '../protocol/text.js';

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan';

const SGR: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
};

/** Paints text in a style, or returns it unchanged when colour is off. */
export type Paint = (style: Style | undefined, text: string) => string;

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text;
  return (style, text) => {
    if (!style || text === '') return text;
    const [on, off] = SGR[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  };
}

export { truncate } from '../protocol/text.js';

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

/** A time as `2026-11-25 15:08:33 UTC`. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** A time relative to now: `in 9m 58s`, `3m ago`, `now`. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (seconds === 0) return 'now';
  return seconds > 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}
