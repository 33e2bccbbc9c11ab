import { describe, expect, it } from 'vitest';
import { painter } from '../../src/cli/output.js';
import { keyValues, table } from '../../src/cli/tables.js';

const plain = painter(false);

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
