import { describe, expect, it } from 'vitest';
import { applyColourFlags, colourEnabled, formatTime, painter, relativeTime } from '../../src/cli/output.js';

const plain = painter(false);

describe('colourEnabled', () => {
  it('is on only for a terminal without NO_COLOR or TERM=dumb', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({}, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '0' })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('is forced on by FORCE_COLOR (even over NO_COLOR, as Node and chalk read it), and off by FORCE_COLOR=0', () => {
    for (const force of ['1', '2', '3', 'true', '']) {
      expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: force })).toBe(true);
      expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: force, NO_COLOR: '1', TERM: 'dumb' })).toBe(true);
    }
    for (const force of ['0', 'false']) expect(colourEnabled({ isTTY: true }, { FORCE_COLOR: force })).toBe(false);
  });
});

describe('applyColourFlags', () => {
  it('turns the last of --color and --no-color into FORCE_COLOR', () => {
    const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
    applyColourFlags(['auction', 'list', '--color'], env);
    expect(env.FORCE_COLOR).toBe('1');
    expect(colourEnabled({ isTTY: false }, env)).toBe(true);
    applyColourFlags(['--color', '--no-color'], env);
    expect(colourEnabled({ isTTY: true }, env)).toBe(false);
    const untouched: NodeJS.ProcessEnv = {};
    applyColourFlags(['--json'], untouched);
    expect(untouched).toEqual({});
  });
});

describe('painter', () => {
  it('wraps text in SGR codes when on, leaves it alone when off', () => {
    expect(painter(true)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(painter(true)('bold', 'x')).toBe('\u001b[1mx\u001b[22m');
    expect(painter(true)(undefined, 'x')).toBe('x');
    expect(plain('red', 'x')).toBe('x');
  });
});

describe('times', () => {
  it('formats times in UTC and relative to now', () => {
    expect(formatTime('2026-11-25T15:08:33.046Z')).toBe('2026-11-25 15:08:33 UTC');
    const now = Date.parse('2026-11-25T15:00:00.000Z');
    expect(relativeTime('2026-11-25T15:09:58.000Z', now)).toBe('in 9m 58s');
    expect(relativeTime('2026-11-25T14:57:00.000Z', now)).toBe('3m ago');
    expect(relativeTime('2026-11-25T15:00:00.200Z', now)).toBe('now');
  });
});
