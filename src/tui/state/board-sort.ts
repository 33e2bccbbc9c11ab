// How the board orders its rows. The choice is plain data, cycled by a key
// (`s` the next column, `S` the other direction), so a test can check it
// without a screen.

/** What the board sorts by. */
export type SortKey = 'ends' | 'price' | 'bids' | 'newest';

export interface BoardSort {
  key: SortKey;
  /** The other direction from the key's natural one (see SORT_LABELS). */
  reversed: boolean;
}

/** The order `s` cycles through; the first is the board's default. */
export const SORT_KEYS: readonly SortKey[] = ['ends', 'price', 'bids', 'newest'];

export const DEFAULT_SORT: BoardSort = { key: 'ends', reversed: false };

/** What the rule line says: the natural direction first, then the reversed one. */
const SORT_LABELS: Record<SortKey, [string, string]> = {
  ends: ['ending soonest', 'ending last'],
  price: ['highest price', 'lowest price'],
  bids: ['most bids', 'fewest bids'],
  newest: ['newest', 'oldest'],
};

/** The next sort key in its natural direction (after the last, the first again). */
export function nextSort(sort: BoardSort): BoardSort {
  const at = SORT_KEYS.indexOf(sort.key);
  return { key: SORT_KEYS[(at + 1) % SORT_KEYS.length]!, reversed: false };
}

/** The same key the other way round. */
export function reverseSort(sort: BoardSort): BoardSort {
  return { key: sort.key, reversed: !sort.reversed };
}

export function sortLabel(sort: BoardSort): string {
  return SORT_LABELS[sort.key][sort.reversed ? 1 : 0];
}

/** The facts a row is sorted by. */
export interface Sortable {
  id: number;
  endsMs: number;
  /** Null before the first bid: below every price. */
  price: number | null;
  bidCount: number;
  createdMs: number;
}

/** Orders two rows: the chosen key in its direction, then soonest ending, then id, so the order is total. */
export function compareRows(sort: BoardSort, x: Sortable, y: Sortable): number {
  const natural = primary(sort.key, x, y);
  const first = sort.reversed ? -natural : natural;
  return first || x.endsMs - y.endsMs || x.id - y.id;
}

/** Natural directions: soonest end, highest price, most bids, newest first. */
function primary(key: SortKey, x: Sortable, y: Sortable): number {
  switch (key) {
    case 'ends':
      return x.endsMs - y.endsMs;
    case 'price':
      return (y.price ?? -1) - (x.price ?? -1);
    case 'bids':
      return y.bidCount - x.bidCount;
    case 'newest':
      return y.createdMs - x.createdMs || y.id - x.id;
  }
}
