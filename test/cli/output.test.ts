import { describe, expect, it } from 'vitest';
import { applyColourFlags, colourEnabled, formatTime, keyValues, painter, relativeTime, table } from '../../src/cli/output.js';

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

describe('table', () => {
  const rows = [
    { id: 7, title: 'Lamp', price: '1,500' },
    { id: 12, title: 'Grandfather clock', price: '250' },
  ];
  const columns = [
    { header: 'ID', align: 'right' as const, value: (r: (typeof rows)[number]) => String(r.id) },
    { header: 'TITLE', value: (r: (typeof rows)[number]) => r.title },
    { header: 'PRICE', align: 'right' as const, value: (r: (typeof rows)[number]) => r.price },
  ];

  it('aligns columns two spaces apart, numbers to the right, with no trailing spaces', () => {
    expect(table(rows, columns, plain)).toBe(
      ['ID  TITLE              PRICE', ' 7  Lamp               1,500', '12  Grandfather clock    250'].join('\n'),
    );
  });

  it('pads before colouring, so colour does not break alignment', () => {
    const coloured = table(rows, [{ ...columns[1]!, style: () => 'green' as const }, columns[2]!], painter(true));
    const stripped = coloured.replace(/\u001b\[\d+m/g, '');
    expect(stripped).toBe(table(rows, [columns[1]!, columns[2]!], plain));
    expect(coloured).toContain('\u001b[32mLamp             \u001b[39m');
  });

  it('prints only the header for no rows', () => {
    expect(table([], columns, plain)).toBe('ID  TITLE  PRICE');
  });
});

describe('keyValues', () => {
  it('aligns values after the longest key, optionally to the right', () => {
    expect(keyValues([['balance', '10,000'], ['held', '0']], plain)).toBe('balance  10,000\nheld     0');
    expect(keyValues([['balance', '10,000'], ['held', '0']], plain, 'right')).toBe('balance  10,000\nheld          0');
  });
});

describe('wide characters', () => {
  it('aligns a table by columns on screen with CJK characters and emoji', () => {
    const wide = [
      { title: '茶碗', who: '山田' },
      { title: '🎸 guitar', who: 'bo' },
      { title: 'lamp', who: '👨‍👩‍👧' },
    ];
    const text = table(
      wide,
      [
        { header: 'TITLE', value: (r: (typeof wide)[number]) => r.title },
        { header: 'WHO', value: (r: (typeof wide)[number]) => r.who },
        { header: 'N', align: 'right' as const, value: () => '1' },
      ],
      plain,
    );
    expect(text).toBe(['TITLE      WHO   N', '茶碗       山田  1', '🎸 guitar  bo    1', 'lamp       👨‍👩‍👧    1'].join('\n'));
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
