// The hidden reserve: shown only as hasReserve/reserveMet; a maximum that
// reaches it lifts the price to it; an auction that ends below it is unsold.
import { describe, expect, it } from 'vitest';
import { market, World } from './world.js';

const reserved = () => market({ reservePrice: 500 });

describe('a reserve', () => {
  it('is hidden: the auction only says that it has one and whether it is met', () => {
    const w = new World();
    const seller = w.user(0);
    const created = w.ok({ kind: 'createAuction', seller, startPrice: 100, minIncrement: 10, reservePrice: 543, durationSec: 60 });
    expect(created.auction).toMatchObject({ hasReserve: true, reserveMet: false });
    expect(created.auction).not.toHaveProperty('reservePrice');
    expect(JSON.stringify(created.auction)).not.toMatch(/\b543\b/);
  });

  it('must be at least the start price', () => {
    const w = new World();
    const seller = w.user(0);
    const create = (reservePrice: number) => w.do({ kind: 'createAuction', seller, startPrice: 100, minIncrement: 10, reservePrice, durationSec: 60 });
    expect(create(99)).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'reservePrice' } });
    expect(create(100)).toMatchObject({ code: 'OK', auction: { hasReserve: true, reserveMet: false } });
  });

  it('is not met by a maximum below it, which opens at the start price as usual', () => {
    const { w, ann, lot } = reserved();
    expect(w.max(lot, ann, 300)).toMatchObject({ auction: { currentPrice: 100, reserveMet: false } });
  });

  it('lifts the price to itself when a first maximum reaches it', () => {
    const { w, ann, lot } = reserved();
    expect(w.max(lot, ann, 800)).toMatchObject({ bid: { amount: 500, automatic: false }, auction: { currentPrice: 500, reserveMet: true, minNextBid: 510 } });
    expect(w.publicEvents()).toEqual([expect.objectContaining({ type: 'bid', price: 500, reserveMet: true })]);
    expect(w.u(ann).held).toBe(800);
  });

  it('lifts the price to itself exactly when the maximum is the reserve', () => {
    const { w, ann, lot } = reserved();
    expect(w.max(lot, ann, 500)).toMatchObject({ auction: { currentPrice: 500, reserveMet: true } });
  });

  it('lifts a winning maximum to it over a leader below it', () => {
    const { w, ann, bob, lot } = reserved();
    w.max(lot, ann, 300);
    w.max(lot, bob, 800);
    expect(w.rows(lot)).toEqual([[ann, 100, false], [ann, 300, true], [bob, 500, false]]);
  });

  it('is passed when the competition requires more than the reserve', () => {
    const { w, ann, bob, lot } = reserved();
    w.max(lot, ann, 495);
    w.max(lot, bob, 800);
    expect(w.rows(lot)).toEqual([[ann, 100, false], [ann, 495, true], [bob, 505, false]]);
  });

  it('does not lift a plain bid, which stands at its amount (and meets the reserve only if it reaches it)', () => {
    const { w, ann, bob, lot } = reserved();
    expect(w.bid(lot, ann, 200)).toMatchObject({ auction: { currentPrice: 200, reserveMet: false } });
    expect(w.bid(lot, bob, 500)).toMatchObject({ auction: { currentPrice: 500, reserveMet: true } });
  });

  it('is reached by the leader raising their own maximum past it: the price jumps to it in a real bid', () => {
    const { w, ann, lot } = reserved();
    w.max(lot, ann, 300);
    const answer = w.max(lot, ann, 700);
    expect(answer).toMatchObject({ leading: true, yourMax: 700, bid: { bidderId: ann, amount: 500, automatic: false, version: 2 } });
    expect(w.publicEvents()).toEqual([expect.objectContaining({ type: 'bid', amount: 500, reserveMet: true, version: 2 })]);
    expect(w.u(ann).held).toBe(700);
  });

  it('once met by a leader\'s maximum, keeps every answer of that maximum at or above it', () => {
    const { w, ann, bob, lot } = reserved();
    w.max(lot, ann, 600);
    w.bid(lot, bob, 510);
    expect(w.rows(lot)).toEqual([[ann, 500, false], [bob, 510, false], [ann, 520, true]]);
  });
});

describe('an auction that ends below its reserve', () => {
  it('is unsold with reason reserve_not_met, every hold is released, and every bidder, the leader too, hears they lost', () => {
    const { w, seller, ann, bob, lot } = reserved();
    w.max(lot, ann, 450);
    w.bid(lot, bob, 300);
    expect(w.a(lot)).toMatchObject({ price: 310, leaderId: ann });
    w.advance(3600 * 1000);
    expect(w.settle()).toEqual([lot]);
    expect(w.events).toEqual([
      { type: 'closed', auction: lot, version: 4, status: 'unsold', winnerId: null, price: null, reason: 'reserve_not_met', endsAt: w.a(lot).endsAt },
      { type: 'lost', to: ann, auction: lot, version: 4, price: null, winnerId: null, reason: 'reserve_not_met' },
      { type: 'lost', to: bob, auction: lot, version: 4, price: null, winnerId: null, reason: 'reserve_not_met' },
      { type: 'balance', to: ann, balance: 1000, held: 0, available: 1000 },
    ]);
    expect(w.a(lot)).toMatchObject({ status: 'unsold', unsoldReason: 'reserve_not_met' });
    expect([w.u(ann), w.u(bob), w.u(seller)].map((u) => [u.balance, u.held])).toEqual([[1000, 0], [1000, 0], [0, 0]]);
  });

  it('but met is closed at the price, not at the maximum', () => {
    const { w, seller, ann, lot } = reserved();
    w.max(lot, ann, 800);
    w.advance(3600 * 1000);
    w.settle();
    expect(w.publicEvents()).toEqual([expect.objectContaining({ type: 'closed', status: 'closed', winnerId: ann, price: 500, reason: null })]);
    expect([w.u(ann), w.u(seller)].map((u) => [u.balance, u.held])).toEqual([[500, 0], [500, 0]]);
  });
});
