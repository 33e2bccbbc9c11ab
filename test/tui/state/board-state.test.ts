import { describe, expect, it } from 'vitest';
import type { AuctionEvent } from '../../../src/protocol/events.js';
import type { Auction } from '../../../src/protocol/types.js';
import { BoardStore, ENDED_LINGER_MS, HIGHLIGHT_MS, NAME_WIDTH, type NameBook } from '../../../src/tui/state/board-state.js';

const T0 = Date.parse('2030-01-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function auction(id: number, over: Partial<Auction> = {}): Auction {
  return {
    id,
    title: `Lot ${id}`,
    sellerId: 1,
    status: 'open',
    startPrice: 100,
    minIncrement: 10,
    increments: [{ from: 0, step: 10 }],
    hasReserve: false,
    reserveMet: false,
    buyNowPrice: null,
    buyNowUntil: 'price',
    buyNowAvailable: false,
    softCloseSec: null,
    unsoldReason: null,
    currentPrice: null,
    leaderId: null,
    bidCount: 0,
    minNextBid: 100,
    endsAt: iso(T0 + 60_000 * id),
    createdAt: iso(T0 - 1000),
    version: 0,
    ...over,
  };
}

function bid(id: number, version: number, bidderId: number, amount: number, over: Partial<AuctionEvent> = {}): AuctionEvent {
  return {
    type: 'bid',
    auction: id,
    version,
    at: iso(T0),
    bidId: version,
    bidderId,
    amount,
    automatic: false,
    price: amount,
    leaderId: bidderId,
    previousLeaderId: null,
    bidCount: version,
    endsAt: iso(T0 + 60_000 * id),
    minNextBid: amount + 10,
    reserveMet: true,
    ...over,
  } as AuctionEvent;
}

describe('BoardStore', () => {
  it('sorts open auctions soonest ending first and filters by title', () => {
    const s = new BoardStore();
    s.upsert(auction(3, { title: 'Brass lamp' }), T0);
    s.upsert(auction(1, { title: 'Oak table' }), T0);
    s.upsert(auction(2, { title: 'Table lamp' }), T0);
    expect(s.view(T0).rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(s.view(T0, 'LAMP').rows.map((r) => r.id)).toEqual([2, 3]);
  });

  it('applies a bid event: price, leader, count, minimum next bid, recent bids, highlight', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    expect(s.apply(bid(1, 1, 7, 150), T0)).toBe(true);
    const row = s.view(T0 + 10).rows[0]!;
    expect(row).toMatchObject({ price: 150, leader: '#7', bidCount: 1, highlight: true });
    expect(s.auction(1)!.minNextBid).toBe(160);
    expect(s.bids(1)).toEqual([{ bidderId: 7, amount: 150, at: iso(T0), version: 1 }]);
    expect(s.view(T0 + HIGHLIGHT_MS).rows[0]!.highlight).toBe(false);
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

  it('re-sorts when a soft-close extension moves the end', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    s.upsert(auction(2), T0);
    s.apply({ type: 'extended', auction: 1, version: 1, at: iso(T0), bidId: 1, endsAt: iso(T0 + 600_000) }, T0);
    expect(s.view(T0).rows.map((r) => r.id)).toEqual([2, 1]);
  });

  it('keeps an ended auction on the board with its final state, then moves it to the ended strip', () => {
    const s = new BoardStore();
    s.setMe({ id: 7, name: 'ann', balance: 1000, held: 0, available: 1000 });
    s.upsert(auction(1), T0);
    s.upsert(auction(2), T0);
    s.apply({ type: 'sold', auction: 1, version: 1, at: iso(T0), status: 'sold', buyerId: 7, price: 500, leaderId: 7, previousLeaderId: null, endsAt: iso(T0) }, T0);
    const during = s.view(T0 + 1000);
    expect(during.rows.find((r) => r.id === 1)).toMatchObject({ ended: true, status: 'sold', price: 500, leader: 'you' });
    const after = s.view(T0 + ENDED_LINGER_MS);
    expect(after.rows.map((r) => r.id)).toEqual([2]);
    expect(after.ended.map((r) => [r.id, r.status])).toEqual([[1, 'sold']]);
  });

  it('marks auctions the user leads, and ones they were outbid on until they lead again', () => {
    const s = new BoardStore();
    s.setMe({ id: 7, name: 'ann', balance: 1000, held: 0, available: 1000 });
    s.upsert(auction(1, { title: 'Lamp' }), T0);
    s.apply(bid(1, 1, 7, 150), T0);
    expect(s.mine(1)).toBe('leading');
    s.applyPrivate({ type: 'outbid', auction: 1, version: 2, at: iso(T0), by: 'bid', price: 160, leaderId: 8, released: 150 }, T0);
    s.apply(bid(1, 2, 8, 160), T0);
    expect(s.mine(1)).toBe('outbid');
    expect(s.notice?.text).toBe('Outbid on “Lamp”: now 160.');
    s.apply(bid(1, 3, 7, 170), T0);
    expect(s.mine(1)).toBe('leading');
    expect(s.view(T0).rows[0]!.leader).toBe('you');
  });

  it('updates the balance from private balance events for this user only', () => {
    const s = new BoardStore();
    s.setMe({ id: 7, name: 'ann', balance: 1000, held: 0, available: 1000 });
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

  it('warns in the last minute of an open auction', () => {
    const s = new BoardStore();
    s.upsert(auction(1), T0);
    expect(s.view(T0).rows[0]!.warning).toBe(false);
    expect(s.view(T0 + 1000).rows[0]!.warning).toBe(true);
  });

  it('prunes old ended auctions beyond the strip', () => {
    const s = new BoardStore();
    for (let i = 1; i <= 12; i++) {
      s.upsert(auction(i), T0);
      s.apply({ type: 'closed', auction: i, version: 1, at: iso(T0), status: 'unsold', winnerId: null, price: null, reason: 'no_bids', endsAt: iso(T0) }, T0 + i);
    }
    s.prune(T0 + ENDED_LINGER_MS + 100);
    const v = s.view(T0 + ENDED_LINGER_MS + 100);
    expect(v.ended.map((r) => r.id)).toEqual([12, 11, 10, 9, 8, 7, 6, 5]);
  });

  it('collects the users it shows whose names are unknown, once, and shows names once they are known', () => {
    const known = new Map<number, string>();
    const book: NameBook = { name: (id, max = Infinity) => known.get(id)?.slice(0, max) };
    const s = new BoardStore(book);
    s.setMe({ id: 5, name: 'ann', balance: 1000, held: 0, available: 1000 });
    s.upsert(auction(1, { leaderId: 4, currentPrice: 150, bidCount: 1, version: 1 }), T0);
    s.upsert(auction(2), T0);
    s.upsert(auction(3), T0);
    s.apply(bid(2, 1, 7, 150), T0);
    s.apply(bid(3, 1, 5, 150), T0);
    s.setBids(3, [{ id: 1, auctionId: 3, bidderId: 9, amount: 140, version: 0, at: iso(T0), automatic: false }]);
    expect(s.takeUnnamed().sort()).toEqual([4, 7, 9]);
    expect(s.takeUnnamed()).toEqual([]);
    expect(s.view(T0).rows.map((r) => r.leader)).toEqual(['#4', '#7', 'you']);

    known.set(4, 'ada').set(7, 'a name longer than the column');
    const rev = s.revision;
    expect(s.namesChanged()).toBe(true);
    expect(s.revision).toBeGreaterThan(rev);
    expect(s.view(T0).rows.map((r) => r.leader)).toEqual(['ada', 'a name longer than the column'.slice(0, NAME_WIDTH), 'you']);
    expect([s.who(9), s.who(4), s.who(5), s.who(null)]).toEqual(['#9', 'ada', 'you', '—']);
    // Known names are not asked for again; an id still unknown is, when it shows up again.
    s.apply(bid(2, 2, 4, 160), T0);
    s.apply(bid(1, 2, 9, 170), T0);
    expect(s.takeUnnamed()).toEqual([9]);
  });
});