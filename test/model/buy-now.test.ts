// Buy now, and when it goes away: buyNowUntil "price", "firstBid", "reserveMet".
import { describe, expect, it } from 'vitest';
import { publicAuction } from './auction-model.js';
import { market, World, type AuctionFields } from './world.js';

const withBuyNow = (fields: AuctionFields = {}) => market({ buyNowPrice: 600, ...fields });

const unavailable = (reason: string, buyNowUntil: string, currentPrice: number | null, buyNowPrice: number | null = 600) =>
  ({ code: 'BUY_NOW_UNAVAILABLE', details: { reason, buyNowUntil, buyNowPrice, currentPrice } });

describe('buy now', () => {
  it('sells at once: the buyer pays, the seller is paid, the leader\'s whole maximum is released', () => {
    const { w, seller, ann, bob, lot } = withBuyNow();
    w.max(lot, ann, 500);
    expect(w.buy(lot, bob)).toMatchObject({ code: 'OK', auction: { status: 'sold', currentPrice: 600, leaderId: bob, bidCount: 1, buyNowAvailable: false, minNextBid: null } });
    expect(w.events).toEqual([
      { type: 'sold', auction: lot, version: 2, status: 'sold', buyerId: bob, price: 600, leaderId: bob, previousLeaderId: ann, endsAt: w.a(lot).endsAt },
      { type: 'outbid', to: ann, auction: lot, version: 2, by: 'buyNow', price: 600, leaderId: bob, released: 500 },
      { type: 'lost', to: ann, auction: lot, version: 2, price: 600, winnerId: bob, reason: null },
      { type: 'balance', to: seller, balance: 600, held: 0, available: 600 },
      { type: 'balance', to: ann, balance: 1000, held: 0, available: 1000 },
      { type: 'balance', to: bob, balance: 400, held: 0, available: 400 },
    ]);
    expect(w.bid(lot, ann, 700)).toEqual({ code: 'AUCTION_CLOSED', details: { status: 'sold' } });
  });

  it('counts the buyer\'s own hold when they lead', () => {
    const { w, ann, lot } = withBuyNow();
    const other = w.auction(w.user(0));
    w.bid(other, ann, 300);
    w.max(lot, ann, 500);
    expect(w.u(ann)).toMatchObject({ balance: 1000, held: 800 });
    expect(w.buy(lot, ann)).toMatchObject({ code: 'OK' });
    expect(w.u(ann)).toMatchObject({ balance: 400, held: 300 });
    expect(w.privateTo(ann)).toEqual([]);
  });

  it('refuses a buyer whose funds do not cover the price, the seller, a missing auction, and after the end', () => {
    const { w, seller, ann, lot } = withBuyNow();
    const poor = w.user(599);
    expect(w.buy(lot, poor)).toEqual({ code: 'INSUFFICIENT_FUNDS', details: { available: 599 } });
    expect(w.buy(lot, seller)).toEqual({ code: 'SELF_BID', details: {} });
    expect(w.buy(42, ann)).toEqual({ code: 'NOT_FOUND', details: { auction: 42 } });
    w.advance(3600 * 1000);
    expect(w.buy(lot, ann)).toEqual({ code: 'AUCTION_CLOSED', details: { status: 'open' } });
  });

  it('is unavailable without a buy-now price', () => {
    const { w, ann, lot } = withBuyNow({ buyNowPrice: undefined });
    expect(w.buy(lot, ann)).toEqual(unavailable('no_buy_now', 'price', null, null));
  });

  it('until "price" (the default): stays while bids are below the buy-now price, even under a higher maximum', () => {
    const { w, ann, bob, lot } = withBuyNow();
    w.max(lot, ann, 900);
    w.bid(lot, bob, 580);
    expect(w.a(lot)).toMatchObject({ price: 590, leaderId: ann, leaderMax: 900 });
    expect(w.buy(lot, bob)).toMatchObject({ code: 'OK' });
  });

  it('until "price": goes once a bid reaches the buy-now price', () => {
    const { w, ann, bob, lot } = withBuyNow();
    w.bid(lot, ann, 600);
    expect(w.buy(lot, bob)).toEqual(unavailable('price_reached', 'price', 600));
  });

  it('until "firstBid": goes with the first bid, a maximum opening at the start price included', () => {
    const { w, ann, bob, lot } = withBuyNow({ buyNowUntil: 'firstBid' });
    w.max(lot, ann, 200);
    expect(w.buy(lot, bob)).toEqual(unavailable('first_bid', 'firstBid', 100));
  });

  it('until "firstBid": is there before any bid', () => {
    const { w, bob, lot } = withBuyNow({ buyNowUntil: 'firstBid' });
    expect(w.buy(lot, bob)).toMatchObject({ code: 'OK', auction: { status: 'sold' } });
  });

  it('until "reserveMet": stays while bids are below the reserve', () => {
    const { w, ann, bob, lot } = withBuyNow({ buyNowUntil: 'reserveMet', reservePrice: 400 });
    w.max(lot, ann, 300);
    w.bid(lot, bob, 250);
    expect(w.a(lot)).toMatchObject({ price: 260, bidCount: 3 });
    expect(w.buy(lot, bob)).toMatchObject({ code: 'OK', auction: { status: 'sold' } });
  });

  it('until "reserveMet": goes when a maximum lifts the price to the reserve', () => {
    const { w, ann, bob, lot } = withBuyNow({ buyNowUntil: 'reserveMet', reservePrice: 400 });
    w.max(lot, ann, 300);
    w.max(lot, bob, 450);
    expect(w.a(lot)).toMatchObject({ price: 400, leaderId: bob });
    expect(w.buy(lot, ann)).toEqual(unavailable('reserve_met', 'reserveMet', 400));
  });

  it('until "reserveMet" without a reserve: goes with the first bid', () => {
    const { w, ann, bob, lot } = withBuyNow({ buyNowUntil: 'reserveMet' });
    w.bid(lot, ann, 100);
    expect(w.buy(lot, bob)).toEqual(unavailable('reserve_met', 'reserveMet', 100));
  });

  it('is shown in the public view as buyNowAvailable: gone with the first bid, or at the end', () => {
    const { w, seller, ann, lot } = withBuyNow({ buyNowUntil: 'firstBid' });
    const other = w.auction(seller, { buyNowPrice: 600 });
    expect(publicAuction(w.a(lot), w.state.now).buyNowAvailable).toBe(true);
    expect(w.bid(lot, ann, 100)).toMatchObject({ auction: { buyNowAvailable: false } });
    w.advance(3600 * 1000 - 1);
    expect(publicAuction(w.a(other), w.state.now).buyNowAvailable).toBe(true);
    w.advance(1);
    expect(publicAuction(w.a(other), w.state.now).buyNowAvailable).toBe(false);
  });

  it('must be priced at least at the start price and the reserve', () => {
    const w = new World();
    const seller = w.user(0);
    const base = { kind: 'createAuction', seller, startPrice: 100, minIncrement: 10, durationSec: 60 } as const;
    expect(w.do({ ...base, buyNowPrice: 99 })).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'buyNowPrice' } });
    expect(w.do({ ...base, reservePrice: 500, buyNowPrice: 499 })).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'buyNowPrice' } });
    expect(w.do({ ...base, reservePrice: 500, buyNowPrice: 500 })).toMatchObject({ code: 'OK', auction: { buyNowAvailable: true } });
  });
});
