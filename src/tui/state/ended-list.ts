// The list of every auction that ended while the board ran (`e`), newest
// first with its final state: the `Ended:` strip shows only the last eight.
import type { BoardStore } from './board-store.js';
import { auctionLine, labels, type AuctionLine } from './board-view.js';

/** An ended auction; `leaderIsMe`: you won it (or bought it). */
export interface EndedRow extends AuctionLine {
  /** You were its seller. */
  selling: boolean;
  /** When the board saw it end (ms). */
  endedAt: number;
}

/** Every ended auction the store knows, the most recently ended first. */
export function endedList(store: BoardStore): EndedRow[] {
  const who = labels(store);
  const rows: EndedRow[] = [];
  for (const e of store.ended()) {
    const a = e.auction;
    rows.push({ ...auctionLine(a, store, who), selling: store.isMe(a.sellerId), endedAt: e.endedAt! });
  }
  return rows.sort((x, y) => y.endedAt - x.endedAt || y.id - x.id);
}

/** The first line shown of a list `count` long in `height` lines, moved by `delta` and kept in range. */
export function scrollBy(top: number, delta: number, count: number, height: number): number {
  return Math.max(0, Math.min(top + delta, count - height));
}
