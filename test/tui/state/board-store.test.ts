import { describe, expect, it } from 'vitest';
import { BoardStore, type NameBook } from '../../../src/tui/state/board-store.js';
import { auction, bid, iso, T0 } from '../../helpers/auction-data.js';

const ann = { id: 7, name: 'ann', balance: 1000, held: 0, available: 1000 };

describe('BoardStore', () => {
  it('applies a bid event: price, leader, count, minimum next bid, recent bids', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    expect(s.apply(bid(1, 1, 7, 150), T0)).toBe(true);
    expect(s.auction(1)).toMatchObject({ currentPrice: 150, leaderId: 7, bidCount: 1, minNextBid: 160, version: 1 });
    expect(s.bids(1)).toEqual([{ bidderId: 7, amount: 150, automatic: false, at: iso(T0), version: 1 }]);
  });

  it('ignores duplicate and older events (a resumed stream may repeat)', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.apply(bid(1, 1, 7, 150), T0);
    s.apply(bid(1, 2, 8, 160), T0);
    const rev = s.revision;
    expect(s.apply(bid(1, 2, 8, 160), T0)).toBe(false);
    expect(s.apply(bid(1, 1, 7, 150), T0)).toBe(false);
    expect(s.revision).toBe(rev);
    expect(s.auction(1)!.currentPrice).toBe(160);
    expect(s.bids(1).map((b) => b.amount)).toEqual([160, 150]);
  });

  it('ignores a snapshot older than what it already holds', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.apply(bid(1, 2, 8, 160), T0);
    expect(s.upsert(auction(1, { version: 1, currentPrice: 150 }), T0)).toBe(false);
    expect(s.auction(1)!.currentPrice).toBe(160);
    expect(s.upsert(auction(1, { version: 3, currentPrice: 170, leaderId: 9 }), T0)).toBe(true);
    expect(s.auction(1)!.currentPrice).toBe(170);
  });

  it('marks auctions the user leads, and ones they were outbid on until they lead again', () => {
    const s = new BoardStore();
    s.setMe(ann);
    s.upsert(auction(1, { title: 'Lamp' }), T0);
    s.apply(bid(1, 1, 7, 150), T0);
    expect(s.mine(1)).toBe('leading');
    s.applyPrivate({ type: 'outbid', auction: 1, version: 2, at: iso(T0), by: 'bid', price: 160, leaderId: 8, released: 150 }, T0);
    s.apply(bid(1, 2, 8, 160), T0);
    expect(s.mine(1)).toBe('outbid');
    expect(s.notice?.text).toBe('Outbid on “Lamp”: now 160.');
    s.apply(bid(1, 3, 7, 170), T0);
    expect(s.mine(1)).toBe('leading');
  });

  it('knows the token\'s user by id, whatever anyone is named', () => {
    const s = new BoardStore({ name: (id) => (id === 8 ? 'you' : undefined) });
    expect(s.isMe(7)).toBe(false);
    s.setMe(ann);
    expect([s.isMe(7), s.isMe(8), s.isMe(null)]).toEqual([true, false, false]);
    s.upsert(auction(1), T0);
    s.apply(bid(1, 1, 8, 150), T0);
    expect(s.mine(1)).toBeNull();
  });

  it('updates the balance from private balance events for this user only', () => {
    const s = new BoardStore();
    s.setMe(ann);
    expect(s.applyPrivate({ type: 'balance', userId: 8, balance: 5, held: 0, available: 5, at: iso(T0) }, T0)).toBe(false);
    s.applyPrivate({ type: 'balance', userId: 7, balance: 1000, held: 150, available: 850, at: iso(T0) }, T0);
    expect(s.me).toMatchObject({ balance: 1000, held: 150, available: 850 });
  });

  it('merges fetched recent bids with live ones, newest first, without duplicates', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.apply(bid(1, 3, 9, 200), T0);
    s.setBids(1, [
      { id: 2, auctionId: 1, bidderId: 8, amount: 190, version: 2, at: iso(T0), automatic: false },
      { id: 3, auctionId: 1, bidderId: 9, amount: 200, version: 3, at: iso(T0), automatic: false },
    ]);
    expect(s.bids(1).map((b) => b.version)).toEqual([3, 2]);
  });

  it('names open auctions it holds that the daemon no longer lists once their end has passed', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.upsert(auction(2), T0);
    expect(s.missingFrom(new Set([2]), T0 + 61_000)).toEqual([1]);
    expect(s.missingFrom(new Set([2]), T0 + 1000)).toEqual([]);
  });

  it('collects the users it shows whose names are unknown, once, never the token\'s user', () => {
    const known = new Map<number, string>();
    const book: NameBook = { name: (id, max = Infinity) => known.get(id)?.slice(0, max) };
    const s = new BoardStore(book);
    s.setMe({ ...ann, id: 5 });
    s.upsert(auction(1, { leaderId: 4, currentPrice: 150, bidCount: 1, version: 1 }), T0);
    s.upsert(auction(2), T0);
    s.upsert(auction(3), T0);
    s.apply(bid(2, 1, 7, 150), T0);
    s.apply(bid(3, 1, 5, 150), T0);
    s.setBids(3, [{ id: 1, auctionId: 3, bidderId: 9, amount: 140, version: 0, at: iso(T0), automatic: false }]);
    expect(s.takeUnnamed().sort()).toEqual([4, 7, 9]);
    expect(s.takeUnnamed()).toEqual([]);
    known.set(4, 'ada').set(7, 'bo');
    const rev = s.revision;
    expect(s.namesChanged()).toBe(true);
    expect(s.revision).toBeGreaterThan(rev);
    // Known names are not asked for again; an id still unknown is, when it shows up again.
    s.apply(bid(2, 2, 4, 160), T0);
    s.apply(bid(1, 2, 9, 170), T0);
    expect(s.takeUnnamed()).toEqual([9]);
  });
});
