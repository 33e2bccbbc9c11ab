import { describe, expect, it } from 'vitest';
import { BoardStore, ENDED_HISTORY_KEEP, ENDED_LINGER_MS } from '../../../src/tui/state/board-store.js';
import { boardView } from '../../../src/tui/state/board-view.js';
import { endedList, scrollBy } from '../../../src/tui/state/ended-list.js';
import { auction, T0 } from '../../helpers/auction-data.js';

const me = (id: number) => ({ id, name: 'ann', balance: 1000, held: 0, available: 1000 });

/** Auction `id` ends at T0 + at: closed to `winner` at `price`, or unsold without one (its final state, as a detail read brings it). */
function end(s: BoardStore, id: number, at: number, winner: number | null = null, price: number | null = null) {
  const a = s.auction(id)!;
  s.upsert({ ...a, status: winner === null ? 'unsold' : 'closed', leaderId: winner, currentPrice: price, minNextBid: null, version: a.version + 1 }, T0 + at);
}

describe('ended list', () => {
  it('keeps every auction that ended, newest first, after the strip has pruned all but eight', () => {
    const s = new BoardStore();
    for (let i = 1; i <= 12; i++) {
      s.upsert(auction(i, i === 3 ? { leaderId: 4, currentPrice: 300, bidCount: 2, version: 0 } : {}), T0);
      end(s, i, i, i === 3 ? 4 : null, i === 3 ? 300 : null);
    }
    const later = T0 + ENDED_LINGER_MS + 100;
    s.prune(later);
    expect(boardView(s, later).ended).toHaveLength(8);
    const list = endedList(s);
    expect(list.map((r) => r.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(list.find((r) => r.id === 3)).toMatchObject({ status: 'closed', price: 300, leader: '#4', bidCount: 2, endedAt: T0 + 3 });
    // Pruning again neither loses nor repeats one.
    s.prune(later + 1);
    expect(endedList(s).map((r) => r.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('lists an auction that just ended (still on the board) and never an open one', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.upsert(auction(2), T0);
    end(s, 2, 10);
    expect(endedList(s).map((r) => r.id)).toEqual([2]);
  });

  it('marks what you won and what you sold', () => {
    const s = new BoardStore();
    s.setMe(me(7));
    s.upsert(auction(1, { leaderId: 7, currentPrice: 200, bidCount: 1 }), T0);
    s.upsert(auction(2, { sellerId: 7, leaderId: 4, currentPrice: 500, bidCount: 3 }), T0);
    end(s, 1, 1, 7, 200);
    end(s, 2, 2, 4, 500);
    expect(endedList(s).map((r) => [r.id, r.leader, r.leaderIsMe, r.selling])).toEqual([
      [2, '#4', false, true],
      [1, 'you', true, false],
    ]);
  });

  it(`forgets the oldest beyond ${ENDED_HISTORY_KEEP}`, () => {
    const s = new BoardStore();
    const n = ENDED_HISTORY_KEEP + 8 + 5;
    for (let i = 1; i <= n; i++) {
      s.upsert(auction(i), T0);
      end(s, i, i);
    }
    s.prune(T0 + n + ENDED_LINGER_MS);
    const ids = endedList(s).map((r) => r.id);
    expect(ids).toHaveLength(ENDED_HISTORY_KEEP + 8);
    expect(ids.at(0)).toBe(n);
    expect(ids.at(-1)).toBe(6);
  });

  it('scrolls within the list', () => {
    expect(scrollBy(0, 1, 30, 10)).toBe(1);
    expect(scrollBy(0, -1, 30, 10)).toBe(0);
    expect(scrollBy(15, 100, 30, 10)).toBe(20);
    expect(scrollBy(3, 1, 5, 10)).toBe(0);
  });
});
