import { describe, expect, it } from 'vitest';
import { halfPage, moveSelection, resolveSelection, scrollOffset } from '../../../src/tui/state/selection.js';

const rows = (...ids: number[]) => ids.map((id) => ({ id }));

describe('selection', () => {
  it('follows the selected auction when rows re-sort', () => {
    expect(resolveSelection(rows(3, 1, 2), { id: 1, index: 0 })).toEqual({ id: 1, index: 1 });
  });

  it('selects the row that took the place of one that left', () => {
    expect(resolveSelection(rows(1, 3), { id: 2, index: 1 })).toEqual({ id: 3, index: 1 });
    expect(resolveSelection(rows(1), { id: 2, index: 1 })).toEqual({ id: 1, index: 0 });
    expect(resolveSelection([], { id: 2, index: 1 })).toEqual({ id: null, index: 0 });
  });

  it('moves within bounds', () => {
    expect(moveSelection(rows(1, 2, 3), { id: 1, index: 0 }, 1)).toEqual({ id: 2, index: 1 });
    expect(moveSelection(rows(1, 2, 3), { id: 3, index: 2 }, 1)).toEqual({ id: 3, index: 2 });
    expect(moveSelection(rows(1, 2, 3), { id: 1, index: 0 }, -1)).toEqual({ id: 1, index: 0 });
  });

  it('scrolls just enough to keep the selection visible', () => {
    expect(scrollOffset(20, 0, 5, 0)).toBe(0);
    expect(scrollOffset(20, 5, 5, 0)).toBe(1);
    expect(scrollOffset(20, 3, 5, 1)).toBe(1);
    expect(scrollOffset(20, 0, 5, 4)).toBe(0);
    expect(scrollOffset(20, 19, 5, 0)).toBe(15);
    expect(scrollOffset(4, 3, 5, 2)).toBe(0);
    expect(scrollOffset(20, 10, 5, 18)).toBe(10);
  });
});

describe('half page', () => {
  it('is half the rows on screen, at least one', () => {
    expect([halfPage(15), halfPage(4), halfPage(1), halfPage(0)]).toEqual([7, 2, 1, 1]);
  });
});
