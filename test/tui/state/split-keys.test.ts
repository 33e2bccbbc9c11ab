import { describe, expect, it } from 'vitest';
import { splitBurst } from '../../../src/tui/state/split-keys.js';

describe('splitBurst', () => {
  it('splits printable runs from Enter, Backspace and Ctrl keys', () => {
    expect(splitBurst('\u00153000\r')).toEqual([
      { input: 'u', key: { ctrl: true } },
      { input: '3000', key: {} },
      { input: '', key: { return: true } },
    ]);
    expect(splitBurst('ab\u007fc')).toEqual([
      { input: 'ab', key: {} },
      { input: '', key: { delete: true } },
      { input: 'c', key: {} },
    ]);
  });
});
