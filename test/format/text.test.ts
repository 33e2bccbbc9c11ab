import { describe, expect, it } from 'vitest';
import { plural, truncate } from '../../src/format/text.js';

describe('plural', () => {
  it('says 1 bid, and 0 or 2 bids', () => {
    expect(plural(1, 'bid')).toBe('1 bid');
    expect(plural(0, 'bid')).toBe('0 bids');
    expect(plural(2, 'bid')).toBe('2 bids');
  });
});

describe('truncate', () => {
  it('cuts long text to the size with an ellipsis, counting code points', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a very long title indeed', 10)).toBe('a very lo…');
    expect([...truncate('a very long title indeed', 10)]).toHaveLength(10);
    expect(truncate('🦊🦊🦊🦊', 3)).toBe('🦊🦊…');
  });
});
