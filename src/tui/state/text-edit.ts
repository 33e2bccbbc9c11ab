// Editing one line of text with the keys a terminal sends. Pure, so the key
// router can apply it to a field held in a ref without waiting for a render.
// The cursor moves, and Backspace erases, by character as a person sees it
// (grapheme cluster), so an emoji or an accented letter is one step.
import { graphemes } from '../../format/text.js';

export interface TextState {
  value: string;
  /** Offset in the value (UTF-16 code units), always at a character boundary. */
  cursor: number;
}

export interface EditKey {
  return?: boolean;
  escape?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  home?: boolean;
  end?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
}

export type EditResult = TextState | 'submit' | 'cancel' | null;

export function textState(value: string): TextState {
  return { value, cursor: value.length };
}

/** The offsets where the value's characters start, and its end. */
function boundaries(value: string): number[] {
  const at = [0];
  for (const g of graphemes(value)) at.push(at.at(-1)! + g.length);
  return at;
}

/** Where the character before the cursor starts. */
function before(s: TextState): number {
  return boundaries(s.value).findLast((b) => b < s.cursor) ?? 0;
}

/** Where the character under the cursor ends. */
function after(s: TextState): number {
  return boundaries(s.value).find((b) => b > s.cursor) ?? s.value.length;
}

/** The character under the cursor ('' at the end). */
export function charAtCursor(s: TextState): string {
  return s.value.slice(s.cursor, after(s));
}

/** The field after a key: a new state, 'submit', 'cancel', or null when the key means nothing here. */
export function editText(s: TextState, input: string, key: EditKey): EditResult {
  if (key.return) return 'submit';
  if (key.escape) return 'cancel';
  if (key.leftArrow) return { ...s, cursor: before(s) };
  if (key.rightArrow) return { ...s, cursor: after(s) };
  if (key.home) return { ...s, cursor: 0 };
  if (key.end) return { ...s, cursor: s.value.length };
  // Terminals send DEL (0x7f) for Backspace, which Ink names "delete": both erase to the left.
  if (key.backspace || key.delete) {
    if (s.cursor === 0) return s;
    const start = before(s);
    return { value: s.value.slice(0, start) + s.value.slice(s.cursor), cursor: start };
  }
  if (key.ctrl && input === 'u') return { value: '', cursor: 0 };
  if (!input || key.ctrl || key.meta || key.upArrow || key.downArrow || key.tab) return null;
  // Pasted text arrives as one string; keep only what shows on one line.
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  return { value: s.value.slice(0, s.cursor) + text + s.value.slice(s.cursor), cursor: s.cursor + text.length };
}
