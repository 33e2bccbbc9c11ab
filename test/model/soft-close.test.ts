// Soft close: every bid row that changes the price or the leader inside the
// window moves the end to now + window — automatic rows too; a leader
// raising their own maximum does not.
import { describe, expect, it } from 'vitest';
import { market, type AuctionFields } from './world.js';

const WINDOW = 60_000;

const closing = (fields: AuctionFields = {}) => market({ softCloseSec: 60, durationSec: 600, ...fields });

describe('soft close', () => {
  it('extends on a bid inside the window, with an extended event right after its bid event', () => {
    const { w, ann, lot, end } = closing();
    w.advance(end - w.state.now - 30_000);
    w.bid(lot, ann, 100);
    const endsAt = w.state.now + WINDOW;
    expect(w.publicEvents()).toEqual([
      expect.objectContaining({ type: 'bid', version: 1, bidId: 1, endsAt }),
      { type: 'extended', auction: lot, version: 2, endsAt, bidId: 1 },
    ]);
    expect(w.a(lot).endsAt).toBe(endsAt);
  });

  it('does not extend on a bid with the full window or more still to go', () => {
    const { w, ann, lot, end } = closing();
    w.advance(end - w.state.now - WINDOW);
    w.bid(lot, ann, 100);
    expect(w.publicEvents().map((e) => e.type)).toEqual(['bid']);
    expect(w.a(lot).endsAt).toBe(end);
  });

  it('extends once for bids a moment apart: the end moves by a second or more, or not at all', () => {
    const { w, ann, bob, cat, lot, end } = closing();
    w.advance(end - w.state.now - 30_000);
    const types = () => w.publicEvents().map((e) => e.type);
    w.bid(lot, ann, 100);
    expect(types()).toEqual(['bid', 'extended']);
    const extended = w.a(lot).endsAt;
    // Bob's bid at the same instant and Cat's 999 ms later would move the end by less than a second.
    w.bid(lot, bob, 110);
    expect(types()).toEqual(['bid']);
    w.advance(999);
    w.bid(lot, cat, 120);
    expect(types()).toEqual(['bid']);
    expect(w.a(lot).endsAt).toBe(extended);
    w.advance(1);
    w.bid(lot, ann, 130);
    expect(types()).toEqual(['bid', 'extended']);
    expect(w.a(lot).endsAt).toBe(extended + 1000);
  });

  it('extends on an automatic bid: a leader\'s maximum used up by a higher bid', () => {
    const { w, ann, bob, lot, end } = closing();
    w.max(lot, ann, 500);
    w.advance(end - w.state.now - 10_000);
    w.bid(lot, bob, 600);
    const endsAt = w.state.now + WINDOW;
    // Ann's maximum shows first, automatically; it moves the end, and Bob's row finds the full window.
    expect(w.publicEvents()).toEqual([
      expect.objectContaining({ type: 'bid', version: 2, bidId: 2, bidderId: ann, amount: 500, automatic: true, endsAt }),
      { type: 'extended', auction: lot, version: 3, endsAt, bidId: 2 },
      expect.objectContaining({ type: 'bid', version: 4, bidId: 3, bidderId: bob, amount: 600, automatic: false, endsAt }),
    ]);
  });

  it('extends once when a maximum answers a bid in the window: the answer finds the full window', () => {
    const { w, ann, bob, lot, end } = closing();
    w.max(lot, ann, 500);
    w.advance(end - w.state.now - 1);
    w.bid(lot, bob, 200);
    expect(w.publicEvents().map((e) => [e.type, e.version])).toEqual([['bid', 2], ['extended', 3], ['bid', 4]]);
    expect(w.a(lot).endsAt).toBe(w.state.now + WINDOW);
  });

  it('is not extended by a leader raising their own maximum', () => {
    const { w, ann, lot, end } = closing();
    w.max(lot, ann, 300);
    w.advance(end - w.state.now - 5_000);
    const answer = w.max(lot, ann, 900);
    expect(answer).toMatchObject({ code: 'OK', bid: null, auction: { endsAt: end, version: 1 } });
    expect(w.publicEvents()).toEqual([]);
  });

  it('is extended by a raise of one\'s own maximum that lifts the price to the reserve, a real bid', () => {
    const { w, ann, lot, end } = closing({ reservePrice: 400 });
    w.max(lot, ann, 300);
    w.advance(end - w.state.now - 5_000);
    w.max(lot, ann, 900);
    expect(w.publicEvents().map((e) => e.type)).toEqual(['bid', 'extended']);
    expect(w.a(lot)).toMatchObject({ price: 400, endsAt: w.state.now + WINDOW });
  });

  it('keeps the auction open past its first end, and refuses bids from the new end on', () => {
    const { w, ann, bob, lot, end } = closing();
    w.advance(end - w.state.now - 1);
    w.bid(lot, ann, 100);
    w.advance(1);
    expect(w.settle()).toEqual([]);
    expect(w.bid(lot, bob, 110)).toMatchObject({ code: 'OK' });
    w.advance(WINDOW);
    expect(w.bid(lot, ann, 200)).toEqual({ code: 'AUCTION_CLOSED', details: { status: 'open' } });
    expect(w.settle()).toEqual([lot]);
  });
});
