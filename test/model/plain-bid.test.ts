// Plain bids {amount}: today's rules, unchanged, in the model.
import { describe, expect, it } from 'vitest';
import { market, World } from './world.js';

describe('a plain bid', () => {
  it('leads at exactly its amount and holds it; the next must be price + increment', () => {
    const { w, ann, bob, lot } = market();
    expect(w.bid(lot, ann, 99)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 100 } });
    const first = w.bid(lot, ann, 150);
    expect(first).toMatchObject({ code: 'OK', leading: true, yourMax: 150, bid: { bidderId: ann, amount: 150, version: 1, automatic: false } });
    expect(first).toMatchObject({ auction: { currentPrice: 150, leaderId: ann, bidCount: 1, minNextBid: 160, version: 1 } });
    expect(w.u(ann)).toEqual({ id: ann, balance: 1000, held: 150 });
    expect(w.bid(lot, bob, 159)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 160 } });
    expect(w.bid(lot, bob, 160)).toMatchObject({ code: 'OK', leading: true });
    expect(w.u(ann).held).toBe(0);
    expect(w.u(bob).held).toBe(160);
    expect(w.rows(lot)).toEqual([[ann, 150, false], [bob, 160, false]]);
  });

  it('tells the one it displaced (outbid by a bid) and both their balances', () => {
    const { w, ann, bob, lot } = market();
    w.bid(lot, ann, 150);
    w.bid(lot, bob, 200);
    expect(w.events).toEqual([
      { type: 'bid', auction: lot, version: 2, bidId: 2, bidderId: bob, amount: 200, automatic: false, price: 200,
        leaderId: bob, previousLeaderId: ann, bidCount: 2, endsAt: w.a(lot).endsAt, minNextBid: 210, reserveMet: true },
      { type: 'outbid', to: ann, auction: lot, version: 2, by: 'bid', price: 200, leaderId: bob, released: 150 },
      { type: 'balance', to: ann, balance: 1000, held: 0, available: 1000 },
      { type: 'balance', to: bob, balance: 1000, held: 200, available: 800 },
    ]);
  });

  it('needs available funds; a leader counts their own hold here', () => {
    const { w, ann, bob, lot } = market();
    const other = w.auction(w.user(0));
    w.bid(other, ann, 700);
    expect(w.bid(lot, ann, 400)).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { available: 300 } });
    w.bid(lot, ann, 300);
    // Ann leads at 300 with nothing else available: her own hold of 300 is all she may raise with.
    expect(w.bid(lot, ann, 310)).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { available: 300 } });
    expect(w.bid(lot, bob, 1001)).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { available: 1000 } });
  });

  it('lets the leader bid again: the price rises to the new amount and the hold with it', () => {
    const { w, ann, lot } = market();
    w.bid(lot, ann, 150);
    expect(w.bid(lot, ann, 155)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 160 } });
    expect(w.bid(lot, ann, 300)).toMatchObject({ code: 'OK', leading: true, auction: { currentPrice: 300, version: 2 } });
    expect(w.u(ann).held).toBe(300);
    expect(w.privateTo(ann)).toEqual([]);
  });

  it('is refused on a missing auction or user, on the seller\'s own auction, after the end, and with a bad amount', () => {
    const { w, seller, ann, lot } = market();
    expect(w.bid(99, ann, 100)).toEqual({ code: 'NOT_FOUND', details: { auction: 99 } });
    expect(w.bid(lot, 99, 100)).toEqual({ code: 'NOT_FOUND', details: { user: 99 } });
    expect(w.bid(lot, seller, 100)).toEqual({ code: 'SELF_BID', details: {} });
    for (const amount of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      expect(w.bid(lot, ann, amount)).toEqual({ code: 'INVALID_INPUT', details: { field: 'amount' } });
    }
    w.advance(3600 * 1000 - 1);
    expect(w.bid(lot, ann, 100)).toMatchObject({ code: 'OK' });
    w.advance(1);
    // At endsAt, before the closer has run, the auction takes no more bids.
    expect(w.bid(lot, ann, 200)).toEqual({ code: 'AUCTION_CLOSED', details: { status: 'open' } });
    w.settle();
    expect(w.bid(lot, ann, 200)).toEqual({ code: 'AUCTION_CLOSED', details: { status: 'closed' } });
  });

  it('follows an increment table: the step is the one at the current price', () => {
    const w = new World();
    const seller = w.user(0);
    const ann = w.user(10_000);
    const bob = w.user(10_000);
    const lot = w.auction(seller, { startPrice: 900, increments: [{ from: 0, step: 10 }, { from: 1000, step: 50 }] });
    w.bid(lot, ann, 990);
    expect(w.bid(lot, bob, 999)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 1000 } });
    w.bid(lot, bob, 1000);
    expect(w.bid(lot, ann, 1010)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 1050 } });
    expect(w.bid(lot, ann, 1050)).toMatchObject({ code: 'OK', auction: { minNextBid: 1100, minIncrement: null } });
  });

  it('has no next bid once no higher amount is possible', () => {
    const w = new World();
    const seller = w.user(0);
    const rich = w.user(Number.MAX_SAFE_INTEGER);
    const lot = w.auction(seller, { startPrice: Number.MAX_SAFE_INTEGER - 5, minIncrement: 10 });
    expect(w.bid(lot, rich, Number.MAX_SAFE_INTEGER - 5)).toMatchObject({ code: 'OK', auction: { minNextBid: null } });
    expect(w.bid(lot, rich, Number.MAX_SAFE_INTEGER)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: null } });
  });

  it('changes nothing and says nothing when refused', () => {
    const { w, ann, lot } = market();
    const before = w.state;
    w.bid(lot, ann, 5);
    expect(w.state).toBe(before);
    expect(w.events).toEqual([]);
  });
});
