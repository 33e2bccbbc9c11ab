// Editing one line of text with the keys a terminal sends. Pure, so the key
// router can apply it to a field held in a ref without waiting for a render.

export interface TextState {
  value: string;
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

/** The field after a key: a new state, 'submit', 'cancel', or null when the key means nothing here. */
export function editText(s: TextState, input: string, key: EditKey): EditResult {
  if (key.return) return 'submit';
  if (key.escape) return 'cancel';
  if (key.leftArrow) return { ...s, cursor: Math.max(0, s.cursor - 1) };
  if (key.rightArrow) return { ...s, cursor: Math.min(s.value.length, s.cursor + 1) };
  if (key.home) return { ...s, cursor: 0 };
  if (key.end) return { ...s, cursor: s.value.length };
  // Terminals send DEL (0x7f) for Backspace, which Ink names "delete": both erase to the left.
  if (key.backspace || key.delete) {
    if (s.cursor === 0) return s;
    return { value: s.value.slice(0, s.cursor - 1) + s.value.slice(s.cursor), cursor: s.cursor - 1 };
  }
  if (key.ctrl && input === 'u') return { value: '', cursor: 0 };
  if (!input || key.ctrl || key.meta || key.upArrow || key.downArrow || key.tab) return null;
  // Pasted text arrives as one string; keep only what shows on one line.
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  return { value: s.value.slice(0, s.cursor) + text + s.value.slice(s.cursor), cursor: s.cursor + text.length };
}
