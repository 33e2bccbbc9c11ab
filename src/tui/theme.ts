// Colours in one place, so NO_COLOR (https://no-color.org) turns all of them
// off at once. Without colour, meaning is kept by text and attributes (bold,
// inverse, dim), never by colour alone.
import { createContext } from 'react';
import { colourSetting } from '../cli/output.js';

export interface Theme {
  color: boolean;
  accent: string | undefined;
  ok: string | undefined;
  warn: string | undefined;
  danger: string | undefined;
  muted: string | undefined;
}

export function makeTheme(color: boolean): Theme {
  return color
    ? { color, accent: 'cyan', ok: 'green', warn: 'yellow', danger: 'red', muted: 'gray' }
    : { color, accent: undefined, ok: undefined, warn: undefined, danger: undefined, muted: undefined };
}

/** True unless NO_COLOR (or FORCE_COLOR=0, or --no-color) says no: the TUI runs only on a terminal. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return colourSetting(env) !== 'never';
}

export const ThemeContext = createContext<Theme>(makeTheme(true));
