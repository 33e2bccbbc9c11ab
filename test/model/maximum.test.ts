// Maximum bids {max}: the proxy answers for the leader, one increment at a
// time, never past the maximum; ties to the earlier; raising one's own.
import { describe, expect, it } from 'vitest';
import { myBids } from './auction-model.js';
import { market } from './world.js';

describe('a first maximum', () => {
  it('leads at the start price and holds the whole maximum, which only its owner sees', () => {
    const { w, ann, lot } = market();
    const answer = w.max(lot, ann, 500);
    expect(answer).toMatchObject({ code: 'OK', leading: true, yourMax: 500, bid: { bidderId: ann, amount: 100, automatic: false } });
    expect(answer).toMatchObject({ auction: { currentPrice: 100, leaderId: ann, minNextBid: 110 } });
    expect(w.u(ann)).toEqual({ id: ann, balance: 1000, held: 500 });
    expect(w.publicEvents()).toEqual([expect.objectContaining({ type: 'bid', amount: 100, price: 100, automatic: false })]);
    expect(JSON.stringify(w.publicEvents())).not.toContain('500');
    expect(JSON.stringify((answer as { auction: unknown }).auction)).not.toContain('500');
  });

  it('must reach the minimum next bid and be covered by available funds in full', () => {
    const { w, ann, bob, lot } = market();
    expect(w.max(lot, ann, 99)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 100 } });
    expect(w.max(lot, ann, 1001)).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { available: 1000 } });
    w.max(lot, ann, 900);
    // Bob's 1,001 would lose to nothing he can see; the refusal is about his funds only.
    expect(w.max(lot, bob, 1001)).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { available: 1000 } });
    expect(w.max(lot, bob, 105)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 110 } });
  });
});

describe('the leader\'s maximum answers a lower bid at once', () => {
  it('a plain bid stands, then the maximum bids one increment above it (automatic); the bidder is outbid', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    const answer = w.bid(lot, bob, 200);
    expect(answer).toMatchObject({ code: 'OK', leading: false, yourMax: null, bid: { bidderId: bob, amount: 200, version: 2 } });
    expect(answer).toMatchObject({ auction: { currentPrice: 210, leaderId: ann, bidCount: 3, version: 3 } });
    expect(w.rows(lot)).toEqual([[ann, 100, false], [bob, 200, false], [ann, 210, true]]);
    const endsAt = w.a(lot).endsAt;
    expect(w.events).toEqual([
      { type: 'bid', auction: lot, version: 2, bidId: 2, bidderId: bob, amount: 200, automatic: false, price: 200,
        leaderId: ann, previousLeaderId: ann, bidCount: 2, endsAt, minNextBid: 210, reserveMet: true },
      { type: 'bid', auction: lot, version: 3, bidId: 3, bidderId: ann, amount: 210, automatic: true, price: 210,
        leaderId: ann, previousLeaderId: ann, bidCount: 3, endsAt, minNextBid: 220, reserveMet: true },
      { type: 'maxRaised', to: ann, auction: lot, version: 3, price: 210, max: 500 },
      { type: 'outbid', to: bob, auction: lot, version: 3, by: 'max', price: 210, leaderId: ann, released: 0 },
    ]);
    // Nobody's money moved: Ann still holds her maximum, Bob never held.
    expect([w.u(ann).held, w.u(bob).held]).toEqual([500, 0]);
  });

  it('a lower maximum is used up: it shows at its full amount and is answered the same way', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    expect(w.max(lot, bob, 300)).toMatchObject({ code: 'OK', leading: false, auction: { currentPrice: 310, leaderId: ann } });
    expect(w.rows(lot)).toEqual([[ann, 100, false], [bob, 300, false], [ann, 310, true]]);
    expect(w.privateTo(bob)).toEqual([expect.objectContaining({ type: 'outbid', by: 'max', released: 0 })]);
  });

  it('never bids past the maximum: an answer that reaches it says the maximum is used up', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    w.bid(lot, bob, 495);
    expect(w.rows(lot).at(-1)).toEqual([ann, 500, true]);
    expect(w.privateTo(ann)).toEqual([
      { type: 'maxRaised', to: ann, auction: lot, version: 3, price: 500, max: 500 },
      { type: 'maxExhausted', to: ann, auction: lot, version: 3, max: 500 },
    ]);
  });

  it('keeps following the increment table', () => {
    const { w, ann, bob, lot } = market({ startPrice: 900, minIncrement: undefined, increments: [{ from: 0, step: 10 }, { from: 1000, step: 50 }] });
    w.ok({ kind: 'deposit', user: ann, amount: 5000 });
    w.ok({ kind: 'deposit', user: bob, amount: 5000 });
    w.max(lot, ann, 2000);
    w.bid(lot, bob, 990);
    expect(w.a(lot).price).toBe(1000);
    w.bid(lot, bob, 1050);
    expect(w.a(lot).price).toBe(1100);
    w.max(lot, bob, 1990);
    expect(w.rows(lot).slice(-2)).toEqual([[bob, 1990, false], [ann, 2000, true]]);
  });
});

describe('ties', () => {
  it('go to the earlier maximum: an equal maximum stands at that amount, and the leader keeps the lead at it', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    expect(w.max(lot, bob, 500)).toMatchObject({ code: 'OK', leading: false, auction: { currentPrice: 500, leaderId: ann, minNextBid: 510 } });
    expect(w.rows(lot)).toEqual([[ann, 100, false], [bob, 500, false], [ann, 500, true]]);
    expect(w.privateTo(ann).map((e) => e.type)).toEqual(['maxRaised', 'maxExhausted']);
    expect(w.privateTo(bob)).toEqual([expect.objectContaining({ type: 'outbid', by: 'max', price: 500, leaderId: ann })]);
  });

  it('go to the earlier maximum against a plain bid of the same amount too', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    expect(w.bid(lot, bob, 500)).toMatchObject({ code: 'OK', leading: false, auction: { currentPrice: 500, leaderId: ann } });
  });

  it('after the leader raised their maximum, still go to the leader, who was there first', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 300);
    w.max(lot, ann, 600);
    expect(w.max(lot, bob, 600)).toMatchObject({ leading: false, auction: { currentPrice: 600, leaderId: ann } });
  });
});

describe('a higher maximum', () => {
  it('takes the lead at the old maximum plus one increment; the old maximum shows as an automatic bid', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    const answer = w.max(lot, bob, 800);
    expect(answer).toMatchObject({ code: 'OK', leading: true, yourMax: 800, bid: { bidderId: bob, amount: 510 } });
    expect(w.rows(lot)).toEqual([[ann, 100, false], [ann, 500, true], [bob, 510, false]]);
    expect(w.privateTo(ann)).toEqual([
      { type: 'maxExhausted', to: ann, auction: lot, version: 2, max: 500 },
      { type: 'outbid', to: ann, auction: lot, version: 3, by: 'max', price: 510, leaderId: bob, released: 500 },
    ]);
    expect([w.u(ann).held, w.u(bob).held]).toEqual([0, 800]);
    expect(JSON.stringify(w.publicEvents())).not.toContain('800');
  });

  it('wins by less than an increment when that is all it has', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    expect(w.max(lot, bob, 505)).toMatchObject({ leading: true, auction: { currentPrice: 505, minNextBid: 515 } });
    expect(w.rows(lot)).toEqual([[ann, 100, false], [ann, 500, true], [bob, 505, false]]);
  });

  it('as a plain bid above the maximum also wins by less than an increment, at its own amount', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    w.bid(lot, bob, 200);
    expect(w.bid(lot, bob, 503)).toMatchObject({ leading: true, auction: { currentPrice: 503, leaderId: bob } });
    expect(w.rows(lot).slice(-2)).toEqual([[ann, 500, true], [bob, 503, false]]);
    expect(w.privateTo(ann).at(-1)).toMatchObject({ type: 'outbid', by: 'bid', released: 500 });
  });

  it('takes the step at the old maximum from the table', () => {
    const { w, ann, bob, lot } = market({ minIncrement: undefined, increments: [{ from: 0, step: 10 }, { from: 400, step: 25 }] });
    w.max(lot, ann, 400);
    w.max(lot, bob, 900);
    expect(w.a(lot).price).toBe(425);
  });

  it('beats a maximum already shown in full without a second row for it', () => {
    const { w, ann, bob, cat, lot } = market();
    w.max(lot, ann, 500);
    w.bid(lot, bob, 495); // Ann's maximum answers at 500, its full amount.
    w.max(lot, cat, 700);
    expect(w.rows(lot).slice(-2)).toEqual([[ann, 500, true], [cat, 510, false]]);
    expect(w.privateTo(ann)).toEqual([expect.objectContaining({ type: 'outbid', by: 'max', released: 500 })]);
  });
});

describe('the leader', () => {
  it('may raise their own maximum without raising the price: no row, no public event, no new version', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 300);
    const answer = w.max(lot, ann, 600);
    expect(answer).toMatchObject({ code: 'OK', leading: true, yourMax: 600, bid: null, bids: [], auction: { currentPrice: 100, version: 1 } });
    expect(w.events).toEqual([{ type: 'balance', to: ann, balance: 1000, held: 600, available: 400 }]);
    w.bid(lot, bob, 550);
    expect(w.rows(lot).slice(-2)).toEqual([[bob, 550, false], [ann, 560, true]]);
  });

  it('may not lower or repeat their maximum, nor raise it past their funds (their hold counts)', () => {
    const { w, ann, lot } = market();
    w.max(lot, ann, 600);
    expect(w.max(lot, ann, 600)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 601, yourMax: 600 } });
    expect(w.max(lot, ann, 300)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 601, yourMax: 600 } });
    expect(w.max(lot, ann, 1001)).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { available: 1000 } });
    expect(w.max(lot, ann, 1000)).toMatchObject({ code: 'OK', yourMax: 1000 });
  });

  it('who led by a plain bid may add a maximum above it, which must still reach the minimum next bid', () => {
    const { w, ann, bob, lot } = market();
    w.bid(lot, ann, 200);
    expect(w.max(lot, ann, 205)).toEqual({ code: 'BID_TOO_LOW', details: { minimum: 210, yourMax: 200 } });
    w.max(lot, ann, 400);
    expect(w.a(lot)).toMatchObject({ price: 200, leaderMax: 400 });
    w.bid(lot, bob, 300);
    expect(w.a(lot)).toMatchObject({ price: 310, leaderId: ann });
  });

  it('bidding a plain amount below their maximum shows that price and keeps the maximum working', () => {
    const { w, ann, bob, lot } = market();
    w.max(lot, ann, 500);
    expect(w.bid(lot, ann, 200)).toMatchObject({ leading: true, yourMax: 500, auction: { currentPrice: 200 } });
    expect(w.u(ann).held).toBe(500);
    w.bid(lot, bob, 300);
    expect(w.a(lot)).toMatchObject({ price: 310, leaderId: ann });
  });

  it('bidding a plain amount above their maximum makes that amount the new maximum and hold', () => {
    const { w, ann, lot } = market();
    w.max(lot, ann, 500);
    w.bid(lot, ann, 700);
    expect(w.a(lot)).toMatchObject({ price: 700, leaderMax: 700 });
    expect(w.u(ann).held).toBe(700);
  });
});

describe('holds and what each bidder sees', () => {
  it('moves the whole maximum from one leader to the next, and lists each bidder\'s bids as they see them', () => {
    const { w, ann, bob, cat, lot } = market();
    w.max(lot, ann, 400);
    w.max(lot, bob, 600);
    expect([w.u(ann).held, w.u(bob).held]).toEqual([0, 600]);
    w.bid(lot, cat, 450);
    expect([w.u(bob).held, w.u(cat).held]).toEqual([600, 0]);
    expect(myBids(w.state, bob)).toEqual([{ auction: lot, status: 'open', price: 460, leading: true, yourMax: 600, endsAt: w.a(lot).endsAt }]);
    expect(myBids(w.state, ann)).toEqual([{ auction: lot, status: 'open', price: 460, leading: false, yourMax: 400, endsAt: w.a(lot).endsAt }]);
    expect(myBids(w.state, cat)).toEqual([expect.objectContaining({ leading: false, yourMax: 450 })]);
  });

  it('never shows a working maximum to anyone else: not in public events, public answers, or their private events', () => {
    const { w, ann, bob, cat, lot } = market();
    w.max(lot, ann, 777);
    const seen: unknown[] = [];
    for (const [who, amount] of [[bob, 300], [cat, 500], [bob, 700]] as const) {
      const answer = w.bid(lot, who, amount);
      seen.push(answer, ...w.events.filter((e) => !('to' in e) || e.to !== ann));
    }
    expect(w.a(lot)).toMatchObject({ leaderId: ann, price: 710, leaderMax: 777 });
    expect(JSON.stringify(seen)).not.toMatch(/\b777\b/);
  });
});
