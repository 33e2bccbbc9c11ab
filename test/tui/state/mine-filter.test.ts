import { describe, expect, it } from 'vitest';
import { matchesMine, MINE_FILTERS, mineLabel, minePhrase, nextMineFilter, type MineFilter } from '../../../src/tui/state/mine-filter.js';

describe('mine filter', () => {
  it('cycles all → yours → leading → outbid → selling → all', () => {
    const seen: MineFilter[] = ['all'];
    for (let i = 0; i < MINE_FILTERS.length; i++) seen.push(nextMineFilter(seen.at(-1)!));
    expect(seen).toEqual(['all', 'mine', 'leading', 'outbid', 'selling', 'all']);
    expect(seen.map(mineLabel)).toEqual(['all', 'yours', 'leading', 'outbid', 'selling', 'all']);
    expect(minePhrase('all')).toBe('');
    expect(minePhrase('leading')).toBe('you lead');
  });

  it('keeps what each choice names; "yours" is leading, outbid or selling', () => {
    const cases: [string, Parameters<typeof matchesMine>[1], boolean][] = [
      ['nothing of yours', null, false],
      ['leading', 'leading', false],
      ['outbid', 'outbid', false],
      ['selling', null, true],
    ];
    const kept = (f: MineFilter) => cases.filter(([, mine, selling]) => matchesMine(f, mine, selling)).map(([name]) => name);
    expect(kept('all')).toEqual(['nothing of yours', 'leading', 'outbid', 'selling']);
    expect(kept('mine')).toEqual(['leading', 'outbid', 'selling']);
    expect(kept('leading')).toEqual(['leading']);
    expect(kept('outbid')).toEqual(['outbid']);
    expect(kept('selling')).toEqual(['selling']);
  });
});
