import { describe, expect, it } from 'vitest';
import { compareRows, DEFAULT_SORT, nextSort, reverseSort, SORT_KEYS, sortLabel, type BoardSort, type Sortable } from '../../../src/tui/state/board-sort.js';

const row = (id: number, over: Partial<Sortable> = {}): Sortable => ({ id, endsMs: id * 1000, price: null, bidCount: 0, createdMs: 0, ...over });
const order = (sort: BoardSort, rows: Sortable[]) => [...rows].sort((x, y) => compareRows(sort, x, y)).map((r) => r.id);

describe('board sort', () => {
  it('cycles ending soonest → price → bids → newest and back, each in its natural direction', () => {
    const seen = [DEFAULT_SORT];
    for (let i = 0; i < SORT_KEYS.length; i++) seen.push(nextSort(seen.at(-1)!));
    expect(seen.map((s) => s.key)).toEqual(['ends', 'price', 'bids', 'newest', 'ends']);
    expect(seen.map(sortLabel)).toEqual(['ending soonest', 'highest price', 'most bids', 'newest', 'ending soonest']);
    // A reversed sort moves on to the next key the natural way round.
    expect(nextSort(reverseSort(DEFAULT_SORT))).toEqual({ key: 'price', reversed: false });
  });

  it('reverses the direction and says so, and reversing twice is the same sort', () => {
    expect(['ends', 'price', 'bids', 'newest'].map((key) => sortLabel(reverseSort({ key, reversed: false } as BoardSort)))).toEqual([
      'ending last',
      'lowest price',
      'fewest bids',
      'oldest',
    ]);
    expect(reverseSort(reverseSort(DEFAULT_SORT))).toEqual(DEFAULT_SORT);
  });

  it('orders by end, price (no bid lowest), bids and creation, either way', () => {
    const rows = [
      row(1, { price: 500, bidCount: 2, createdMs: 30 }),
      row(2, { price: null, bidCount: 0, createdMs: 10 }),
      row(3, { price: 900, bidCount: 5, createdMs: 20 }),
    ];
    expect(order({ key: 'ends', reversed: false }, rows)).toEqual([1, 2, 3]);
    expect(order({ key: 'ends', reversed: true }, rows)).toEqual([3, 2, 1]);
    expect(order({ key: 'price', reversed: false }, rows)).toEqual([3, 1, 2]);
    expect(order({ key: 'price', reversed: true }, rows)).toEqual([2, 1, 3]);
    expect(order({ key: 'bids', reversed: false }, rows)).toEqual([3, 1, 2]);
    expect(order({ key: 'bids', reversed: true }, rows)).toEqual([2, 1, 3]);
    expect(order({ key: 'newest', reversed: false }, rows)).toEqual([1, 3, 2]);
    expect(order({ key: 'newest', reversed: true }, rows)).toEqual([2, 3, 1]);
  });

  it('breaks ties by the soonest end, then by id, whichever way the key runs', () => {
    const rows = [row(3, { endsMs: 5, price: 100 }), row(1, { endsMs: 9, price: 100 }), row(2, { endsMs: 5, price: 100 })];
    expect(order({ key: 'price', reversed: false }, rows)).toEqual([2, 3, 1]);
    expect(order({ key: 'price', reversed: true }, rows)).toEqual([2, 3, 1]);
  });
});
