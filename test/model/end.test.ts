// How auctions end: the closer settles them from their end on; sellers and
// the admin may cancel before it.
import { describe, expect, it } from 'vitest';
import { standardIncrements } from '../../src/protocol/increments.js';
import { market, World } from './world.js';

const minute = () => market({ durationSec: 60 });

describe('settling', () => {
  it('charges the winner the price, not their maximum, releases the rest of the hold and pays the seller', () => {
    const { w, seller, ann, bob, lot } = minute();
    w.max(lot, ann, 800);
    w.bid(lot, bob, 300);
    w.advance(60_000);
    expect(w.settle()).toEqual([lot]);
    expect(w.events).toEqual([
      { type: 'closed', auction: lot, version: 4, status: 'closed', winnerId: ann, price: 310, reason: null, endsAt: w.a(lot).endsAt },
      { type: 'lost', to: bob, auction: lot, version: 4, price: 310, winnerId: ann, reason: null },
      { type: 'balance', to: seller, balance: 310, held: 0, available: 310 },
      { type: 'balance', to: ann, balance: 690, held: 0, available: 690 },
    ]);
    expect(w.u(bob)).toEqual({ id: bob, balance: 1000, held: 0 });
  });

  it('leaves an auction without bids unsold (no_bids), moving no money', () => {
    const { w, lot } = minute();
    w.advance(60_000);
    w.settle();
    expect(w.events).toEqual([
      { type: 'closed', auction: lot, version: 1, status: 'unsold', winnerId: null, price: null, reason: 'no_bids', endsAt: w.a(lot).endsAt },
    ]);
  });

  it('settles only what is due, ascending id, once', () => {
    const { w, seller, ann, lot } = minute();
    const later = w.auction(seller, { durationSec: 120 });
    const sooner = w.auction(seller, { durationSec: 30 });
    w.bid(later, ann, 100);
    w.advance(59_999);
    expect(w.settle()).toEqual([sooner]);
    w.advance(1);
    expect(w.settle()).toEqual([lot]);
    expect(w.settle()).toEqual([]);
    w.advance(60_000);
    expect(w.settle()).toEqual([later]);
    expect(w.a(later)).toMatchObject({ status: 'closed', version: 2 });
  });

  it('leaves an ended auction to the closer: no bid, buy or cancel from the end on, before or after it runs', () => {
    const { w, seller, ann, bob, lot } = minute();
    w.bid(lot, ann, 100);
    w.advance(60_000);
    for (const status of ['open', 'closed']) {
      expect(w.bid(lot, bob, 500)).toEqual({ code: 'AUCTION_CLOSED', details: { status } });
      expect(w.cancel(lot, 'admin')).toEqual({ code: 'AUCTION_CLOSED', details: { status } });
      expect(w.cancel(lot, seller)).toEqual({ code: 'AUCTION_CLOSED', details: { status } });
      w.settle();
    }
  });
});

describe('cancelling', () => {
  it('lets the seller cancel while nobody has bid', () => {
    const { w, seller, lot } = minute();
    expect(w.cancel(lot, seller)).toMatchObject({ code: 'OK', auction: { status: 'cancelled', version: 1, minNextBid: null } });
    expect(w.events).toEqual([{ type: 'cancelled', auction: lot, version: 1, status: 'cancelled', previousLeaderId: null, endsAt: w.a(lot).endsAt }]);
  });

  it('refuses the seller once there are bids, and anyone else always', () => {
    const { w, seller, ann, bob, lot } = minute();
    expect(w.cancel(lot, ann)).toEqual({ code: 'FORBIDDEN', details: {} });
    w.max(lot, ann, 500);
    expect(w.cancel(lot, seller)).toEqual({ code: 'CANNOT_CANCEL', details: { bidCount: 1 } });
    expect(w.cancel(lot, bob)).toEqual({ code: 'FORBIDDEN', details: {} });
    expect(w.cancel(77, 'admin')).toEqual({ code: 'NOT_FOUND', details: { auction: 77 } });
  });

  it('lets the admin cancel with bids: the leader\'s whole maximum is released', () => {
    const { w, ann, bob, lot } = minute();
    w.max(lot, ann, 500);
    w.bid(lot, bob, 200);
    expect(w.cancel(lot, 'admin')).toMatchObject({ code: 'OK', auction: { status: 'cancelled', version: 4 } });
    expect(w.events).toEqual([
      { type: 'cancelled', auction: lot, version: 4, status: 'cancelled', previousLeaderId: ann, endsAt: w.a(lot).endsAt },
      { type: 'outbid', to: ann, auction: lot, version: 4, by: 'cancel', price: null, leaderId: null, released: 500 },
      { type: 'balance', to: ann, balance: 1000, held: 0, available: 1000 },
    ]);
    expect(w.bid(lot, bob, 900)).toEqual({ code: 'AUCTION_CLOSED', details: { status: 'cancelled' } });
    expect(w.buy(lot, bob)).toEqual({ code: 'AUCTION_CLOSED', details: { status: 'cancelled' } });
  });
});

describe('the world', () => {
  it('keeps the money in neighborbid within 2^53 − 1 and refuses bad time steps', () => {
    const w = new World();
    const rich = w.user(Number.MAX_SAFE_INTEGER - 10);
    expect(w.do({ kind: 'deposit', user: rich, amount: 11 })).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'amount' } });
    expect(w.do({ kind: 'createUser', balance: 11 })).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'balance' } });
    expect(w.do({ kind: 'deposit', user: rich, amount: 10 })).toEqual({ code: 'OK', balance: Number.MAX_SAFE_INTEGER });
    expect(w.do({ kind: 'deposit', user: 99, amount: 10 })).toEqual({ code: 'NOT_FOUND', details: { user: 99 } });
    expect(w.do({ kind: 'advance', ms: -1 })).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('says a deposit to its owner, and nothing when a user is created', () => {
    const w = new World();
    const ann = w.user(5);
    expect(w.events).toEqual([]);
    w.ok({ kind: 'deposit', user: ann, amount: 10 });
    expect(w.events).toEqual([{ type: 'balance', to: ann, balance: 15, held: 0, available: 15 }]);
  });

  it('checks new auctions: increments given once and valid, durations and windows in range', () => {
    const w = new World();
    const seller = w.user(0);
    const base = { kind: 'createAuction', seller, startPrice: 100, durationSec: 60 } as const;
    const field = (c: object) => (w.do({ ...base, ...c }) as { details: { field?: string } }).details.field;
    expect(field({})).toBe('increments');
    expect(field({ minIncrement: 10, increments: 'standard' })).toBe('increments');
    expect(field({ increments: [{ from: 5, step: 1 }] })).toBe('increments');
    expect(field({ minIncrement: 0 })).toBe('minIncrement');
    expect(field({ minIncrement: 10, startPrice: 0 })).toBe('startPrice');
    expect(field({ minIncrement: 10, softCloseSec: 0 })).toBe('softCloseSec');
    expect(field({ minIncrement: 10, durationSec: 0 })).toBe('durationSec');
    expect(w.do({ ...base, minIncrement: 10, seller: 99 })).toEqual({ code: 'NOT_FOUND', details: { user: 99 } });
    expect(w.ok({ ...base, increments: 'standard' }).auction).toMatchObject({ minIncrement: null, increments: standardIncrements });
  });
});
