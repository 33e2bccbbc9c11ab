import { describe, expect, it } from 'vitest';
import { formatRemaining, isWarning } from '../../../src/tui/state/countdown.js';

describe('countdown', () => {
  it('formats remaining time as h:mm:ss or m:ss, rounding up, never negative', () => {
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
    expect(formatRemaining(245_000)).toBe('4:05');
    expect(formatRemaining(41_200)).toBe('0:42');
    expect(formatRemaining(-5000)).toBe('0:00');
  });

  it('warns under one minute', () => {
    expect(isWarning(60_000)).toBe(false);
    expect(isWarning(59_999)).toBe(true);
  });
});
