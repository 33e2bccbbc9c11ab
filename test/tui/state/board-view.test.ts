import { describe, expect, it } from 'vitest';
import { BoardStore, ENDED_LINGER_MS, type NameBook } from '../../../src/tui/state/board-store.js';
import { boardView, HIGHLIGHT_MS, labels, NAME_WIDTH } from '../../../src/tui/state/board-view.js';
import { DEFAULT_SORT, type BoardSort } from '../../../src/tui/state/board-sort.js';
import type { PrivateEvent } from '../../../src/protocol/events.js';
import type { MineFilter } from '../../../src/tui/state/mine-filter.js';
import { auction, bid, iso, T0 } from '../../helpers/auction-data.js';

const me = (id: number) => ({ id, name: 'ann', balance: 1000, held: 0, available: 1000 });

describe('boardView', () => {
  it('sorts open auctions soonest ending first and filters by title', () => {
    const s = new BoardStore();
    s.upsert(auction(3, { title: 'Brass lamp' }), T0);
    s.upsert(auction(1, { title: 'Oak table' }), T0);
    s.upsert(auction(2, { title: 'Table lamp' }), T0);
    expect(boardView(s, T0).rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(boardView(s, T0, 'LAMP').rows.map((r) => r.id)).toEqual([2, 3]);
  });

  it('shows a bid on its row, highlighted for a while', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.apply(bid(1, 1, 7, 150), T0);
    expect(boardView(s, T0 + 10).rows[0]).toMatchObject({ price: 150, leader: '#7', bidCount: 1, highlight: true });
    expect(boardView(s, T0 + HIGHLIGHT_MS).rows[0]!.highlight).toBe(false);
  });

  it('re-sorts when a soft-close extension moves the end', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.upsert(auction(2), T0);
    s.apply({ type: 'extended', auction: 1, version: 1, at: iso(T0), bidId: 1, endsAt: iso(T0 + 600_000) }, T0);
    expect(boardView(s, T0).rows.map((r) => r.id)).toEqual([2, 1]);
  });

  it('keeps an ended auction on the board with its final state, then moves it to the ended strip', () => {
    const s = new BoardStore();
    s.setMe(me(7));
    s.upsert(auction(1), T0);
    s.upsert(auction(2), T0);
    s.apply({ type: 'sold', auction: 1, version: 1, at: iso(T0), status: 'sold', buyerId: 7, price: 500, leaderId: 7, previousLeaderId: null, endsAt: iso(T0) }, T0);
    const during = boardView(s, T0 + 1000);
    expect(during.rows.find((r) => r.id === 1)).toMatchObject({ ended: true, status: 'sold', price: 500, leader: 'you', leaderIsMe: true });
    const after = boardView(s, T0 + ENDED_LINGER_MS);
    expect(after.rows.map((r) => r.id)).toEqual([2]);
    expect(after.ended.map((r) => [r.id, r.status])).toEqual([[1, 'sold']]);
  });

  it('warns in the last minute of an open auction', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    expect(boardView(s, T0).rows[0]!.warning).toBe(false);
    expect(boardView(s, T0 + 1000).rows[0]!.warning).toBe(true);
  });

  it('keeps only the most recent ended auctions once pruned', () => {
    const s = new BoardStore();
    for (let i = 1; i <= 12; i++) {
      s.upsert(auction(i), T0);
      s.apply({ type: 'closed', auction: i, version: 1, at: iso(T0), status: 'unsold', winnerId: null, price: null, reason: 'no_bids', endsAt: iso(T0) }, T0 + i);
    }
    s.prune(T0 + ENDED_LINGER_MS + 100);
    expect(boardView(s, T0 + ENDED_LINGER_MS + 100).ended.map((r) => r.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5]);
  });

  it('names users "you", by name cut to the column, or by #id until the name is known', () => {
    const known = new Map<number, string>();
    const book: NameBook = { name: (id, max = Infinity) => known.get(id)?.slice(0, max) };
    const s = new BoardStore(book);
    s.setMe(me(5));
    s.upsert(auction(1, { leaderId: 4, currentPrice: 150, bidCount: 1, version: 1 }), T0);
    s.upsert(auction(2), T0);
    s.upsert(auction(3), T0);
    s.apply(bid(2, 1, 7, 150), T0);
    s.apply(bid(3, 1, 5, 150), T0);
    expect(boardView(s, T0).rows.map((r) => r.leader)).toEqual(['#4', '#7', 'you']);
    known.set(4, 'ada').set(7, 'a name longer than the column');
    expect(boardView(s, T0).rows.map((r) => r.leader)).toEqual(['ada', 'a name longer than the column'.slice(0, NAME_WIDTH), 'you']);
    const who = labels(s);
    expect([who(9), who(4), who(5), who(null)]).toEqual(['#9', 'ada', 'you', '—']);
  });

  it('marks the token\'s user by id: a user who is named "you" is not drawn as you', () => {
    // A name book that lets "you" through (the NameCache itself would show such a user by id).
    const s = new BoardStore({ name: (id) => (id === 8 ? 'you' : undefined) });
    s.setMe(me(7));
    s.upsert(auction(1), T0);
    s.upsert(auction(2), T0);
    s.apply(bid(1, 1, 8, 150), T0);
    s.apply(bid(2, 1, 7, 150), T0);
    const [theirs, mine] = boardView(s, T0).rows;
    expect(theirs).toMatchObject({ id: 1, leader: 'you', leaderIsMe: false, mine: null });
    expect(mine).toMatchObject({ id: 2, leader: 'you', leaderIsMe: true, mine: 'leading' });
  });
});

/** The private outbid event, with only the fields the store reads (the event grows other fields the board ignores). */
const outbid = (id: number, price: number, leaderId: number) =>
  ({ type: 'outbid', auction: id, version: 1, at: iso(T0), price, leaderId, released: 0 }) as PrivateEvent;

describe('boardView order', () => {
  it('sorts by the chosen key and narrows to the user\'s own auctions: leading, outbid, selling', () => {
    const s = new BoardStore();
    s.setMe(me(7));
    s.upsert(auction(1, { leaderId: 7, currentPrice: 300, bidCount: 1, createdAt: iso(T0 - 3000) }), T0);
    s.upsert(auction(2, { leaderId: 4, currentPrice: 900, bidCount: 4, createdAt: iso(T0 - 1000) }), T0);
    s.upsert(auction(3, { sellerId: 7, createdAt: iso(T0 - 2000) }), T0);
    s.upsert(auction(4, { createdAt: iso(T0 - 500) }), T0);
    s.applyPrivate(outbid(2, 900, 4), T0);
    const ids = (sort: BoardSort, mine: MineFilter = 'all', filter = '') => boardView(s, T0, filter, { sort, mine }).rows.map((r) => r.id);
    expect(ids({ key: 'ends', reversed: false })).toEqual([1, 2, 3, 4]);
    expect(ids({ key: 'price', reversed: false })).toEqual([2, 1, 3, 4]);
    expect(ids({ key: 'bids', reversed: false })).toEqual([2, 1, 3, 4]);
    expect(ids({ key: 'newest', reversed: false })).toEqual([4, 2, 3, 1]);
    expect(ids({ key: 'newest', reversed: true })).toEqual([1, 3, 2, 4]);
    expect(ids(DEFAULT_SORT, 'mine')).toEqual([1, 2, 3]);
    expect(ids(DEFAULT_SORT, 'leading')).toEqual([1]);
    expect(ids(DEFAULT_SORT, 'outbid')).toEqual([2]);
    expect(ids(DEFAULT_SORT, 'selling')).toEqual([3]);
    // The title filter and the choice narrow together.
    expect(ids({ key: 'price', reversed: false }, 'mine', 'lot 3')).toEqual([3]);
  });
});
