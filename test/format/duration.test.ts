import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/format/duration.js';

describe('parseDuration', () => {
  it('reads a number and a unit, or several largest first', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('10m')).toBe(600);
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('1d')).toBe(86_400);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1d2h3m4s')).toBe(93_784);
    expect(parseDuration(' 5m ')).toBe(300);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '10', 'm', '1.5h', '-5m', '+5m', '5 m', '5M', '10m5m', '5s1m', '0s', '0m0s', '1w', '1e3s', '5min', '½h']) {
      expect(parseDuration(bad), bad).toBeNull();
    }
  });

  it('reads back what formatDuration writes when nothing is dropped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * 86_400 }), (seconds) => {
        const text = formatDuration(seconds).replace(' ', '');
        const back = parseDuration(text)!;
        // Two units at most: the rest is dropped, never more than the second unit's size.
        expect(back).toBeLessThanOrEqual(seconds);
        expect(seconds - back).toBeLessThan(3600);
      }),
    );
  });
});

describe('formatDuration', () => {
  it('writes the largest unit and the next when it is not zero', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(60)).toBe('1m');
    expect(formatDuration(90)).toBe('1m 30s');
    expect(formatDuration(754)).toBe('12m 34s');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(3601)).toBe('1h');
    expect(formatDuration(3660)).toBe('1h 1m');
    expect(formatDuration(93_784)).toBe('1d 2h');
    expect(formatDuration(-5)).toBe('0s');
    expect(formatDuration(12.9)).toBe('12s');
  });
});
