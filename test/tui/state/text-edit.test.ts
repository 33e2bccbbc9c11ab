import { describe, expect, it } from 'vitest';
import { editText, textState } from '../../../src/tui/state/text-edit.js';

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
