import { describe, expect, it } from 'vitest';
import { displayWidth, graphemes, padToWidth, plural, truncate } from '../../src/format/text.js';

describe('plural', () => {
  it('says 1 bid, and 0 or 2 bids', () => {
    expect(plural(1, 'bid')).toBe('1 bid');
    expect(plural(0, 'bid')).toBe('0 bids');
    expect(plural(2, 'bid')).toBe('2 bids');
  });
});

describe('truncate', () => {
  it('cuts long text to the size with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a very long title indeed', 10)).toBe('a very lo…');
    expect([...truncate('a very long title indeed', 10)]).toHaveLength(10);
  });

  it('counts columns on screen, and never cuts inside a character', () => {
    // Each CJK character and emoji takes two columns; a family emoji is one character of many code points.
    expect(truncate('🦊🦊🦊🦊', 3)).toBe('🦊…');
    expect(truncate('🦊🦊🦊🦊', 5)).toBe('🦊🦊…');
    expect(truncate('日本の茶碗と急須', 16)).toBe('日本の茶碗と急須');
    expect(truncate('日本の茶碗と急須', 15)).toBe('日本の茶碗と急…');
    expect(truncate('日本の茶碗と急須', 10)).toBe('日本の茶…');
    expect(truncate('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 5)).toBe('👨‍👩‍👧👨‍👩‍👧…');
    expect(truncate('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 4)).toBe('👨‍👩‍👧…');
    expect(truncate('cafe\u0301 crème', 6)).toBe('cafe\u0301 …');
  });
});

describe('displayWidth and padToWidth', () => {
  it('measure and pad by columns on screen', () => {
    expect(['abc', '日本', '🎸', '👨‍👩‍👧', 'e\u0301', '…'].map(displayWidth)).toEqual([3, 4, 2, 2, 1, 1]);
    expect(padToWidth('日本', 6)).toBe('日本  ');
    expect(padToWidth('🎸', 4, 'right')).toBe('  🎸');
    expect(padToWidth('日本語', 4)).toBe('日本語');
  });
});

describe('graphemes', () => {
  it('splits text into the characters a person sees', () => {
    expect(graphemes('a👍🏽e\u0301茶')).toEqual(['a', '👍🏽', 'e\u0301', '茶']);
  });
});
