// The list of every auction that ended while the board ran (`e`), newest
// first with its final state: the `Ended:` strip shows only the last eight.
import type { AuctionStatus } from '../../protocol/types.js';
import type { BoardStore } from './board-store.js';
import { labels, NAME_WIDTH } from './board-view.js';

export interface EndedRow {
  id: number;
  title: string;
  status: AuctionStatus;
  price: number | null;
  leader: string;
  /** You won it (or bought it). */
  leaderIsMe: boolean;
  /** You were its seller. */
  selling: boolean;
  bidCount: number;
  /** When the board saw it end (ms). */
  endedAt: number;
}

/** Every ended auction the store knows, the most recently ended first. */
export function endedList(store: BoardStore): EndedRow[] {
  const who = labels(store);
  const rows: EndedRow[] = [];
  for (const e of store.ended()) {
    const a = e.auction;
    rows.push({
      id: a.id,
      title: a.title,
      status: a.status,
      price: a.currentPrice,
      leader: who(a.leaderId, NAME_WIDTH),
      leaderIsMe: store.isMe(a.leaderId),
      selling: store.isMe(a.sellerId),
      bidCount: a.bidCount,
      endedAt: e.endedAt!,
    });
  }
  return rows.sort((x, y) => y.endedAt - x.endedAt || y.id - x.id);
}

/** The first line shown of a list `count` long in `height` lines, moved by `delta` and kept in range. */
export function scrollBy(top: number, delta: number, count: number, height: number): number {
  return Math.max(0, Math.min(top + delta, count - height));
}
