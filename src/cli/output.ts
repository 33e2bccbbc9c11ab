// Human output: colour (on a TTY unless NO_COLOR, or forced) and times; the
// aligned tables are in tables.ts. Machine output is plain JSON and needs none
// of this. Every command loads this file, so it stays light.
import { formatDuration } from '../format/duration.js';

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

/**
 * What the environment says about colour: FORCE_COLOR forces it on (or off
 * with 0 or false, as chalk and Node read it), else a non-empty NO_COLOR
 * (https://no-color.org) turns it off, else it is up to the terminal.
 */
export function colourSetting(env: NodeJS.ProcessEnv = process.env): 'always' | 'never' | 'auto' {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force === '0' || force === 'false' ? 'never' : 'always';
  return env.NO_COLOR ? 'never' : 'auto';
}

/** Colour on a terminal (not TERM=dumb) unless the environment says otherwise (see colourSetting). */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = colourSetting(env);
  return setting === 'always' || (setting === 'auto' && stream.isTTY === true && env.TERM !== 'dumb');
}

/**
 * `--color` and `--no-color` (the last one wins) become FORCE_COLOR for this
 * process, so every part that paints (the CLI, Ink's chalk, the TUI's theme)
 * sees the same choice.
 */
export function applyColourFlags(flags: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const last = flags.findLast((f) => f === '--color' || f === '--no-color');
  if (last) env.FORCE_COLOR = last === '--color' ? '1' : '0';
}

export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text;
  return (style, text) => {
    if (!style || text === '') return text;
    const [on, off] = SGR[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  };
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
