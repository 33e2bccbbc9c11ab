import { describe, expect, it } from 'vitest';
import { charAtCursor, editText, textState } from '../../../src/tui/state/text-edit.js';

describe('editText', () => {
  it('inserts at the cursor, moves, erases to the left and clears', () => {
    let s = textState('1,000');
    s = editText(s, '', { leftArrow: true }) as typeof s;
    s = editText(s, '5', {}) as typeof s;
    expect(s).toEqual({ value: '1,0050', cursor: 5 });
    s = editText(s, '', { delete: true }) as typeof s;
    expect(s).toEqual({ value: '1,000', cursor: 4 });
    expect(editText(s, 'u', { ctrl: true })).toEqual({ value: '', cursor: 0 });
  });

  it('submits on Enter, cancels on Esc, ignores arrows up and down', () => {
    const s = textState('x');
    expect(editText(s, '', { return: true })).toBe('submit');
    expect(editText(s, '', { escape: true })).toBe('cancel');
    expect(editText(s, '', { upArrow: true })).toBeNull();
  });

  it('keeps pasted text on one line', () => {
    expect(editText(textState(''), 'a\tb', {})).toEqual({ value: 'ab', cursor: 2 });
  });
});

describe('editText with wide and combined characters', () => {
  // 茶 is one code unit, 🎸 two, 👍🏽 four (a thumb and a skin tone), é here two (e and a combining accent).
  const value = '茶🎸👍🏽e\u0301!';

  it('moves the cursor one character (grapheme) at a time, never inside one', () => {
    let s = { value, cursor: 0 };
    const stops = [0];
    for (let i = 0; i < 6; i++) {
      s = editText(s, '', { rightArrow: true }) as typeof s;
      stops.push(s.cursor);
    }
    expect(stops).toEqual([0, 1, 3, 7, 9, 10, 10]);
    const back: number[] = [];
    for (let i = 0; i < 6; i++) {
      s = editText(s, '', { leftArrow: true }) as typeof s;
      back.push(s.cursor);
    }
    expect(back).toEqual([9, 7, 3, 1, 0, 0]);
  });

  it('erases a whole character to the left, and shows the whole character under the cursor', () => {
    let s = textState(value);
    s = editText(s, '', { leftArrow: true }) as typeof s;
    expect(charAtCursor(s)).toBe('!');
    s = editText(s, '', { delete: true }) as typeof s;
    expect(s).toEqual({ value: '茶🎸👍🏽!', cursor: 7 });
    s = editText(s, '', { backspace: true }) as typeof s;
    expect(s).toEqual({ value: '茶🎸!', cursor: 3 });
    s = editText(s, '', { leftArrow: true }) as typeof s;
    expect(charAtCursor(s)).toBe('🎸');
    s = editText(s, '急', {}) as typeof s;
    expect(s).toEqual({ value: '茶急🎸!', cursor: 2 });
    expect(charAtCursor(textState('x'))).toBe('');
  });
});
