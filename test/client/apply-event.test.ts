import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../src/client/apply-event.js';
import { auction, bid, iso, T0 } from '../helpers/auction-data.js';

describe('applyEvent', () => {
  it('takes a bid\'s price, leader, count, end and next minimum, leaving the state it was given as it was', () => {
    const before = auction(1);
    const after = applyEvent(before, bid(1, 1, 7, 150, { endsAt: iso(T0 + 5000) }));
    expect(after).toEqual({
      ...before, version: 1, currentPrice: 150, leaderId: 7, bidCount: 1, endsAt: iso(T0 + 5000), minNextBid: 160, reserveMet: true,
    });
    expect(before).toEqual(auction(1));
  });

  it('moves only the end on an extension', () => {
    const before = auction(1, { currentPrice: 150, leaderId: 7, bidCount: 1, version: 1 });
    expect(applyEvent(before, { type: 'extended', auction: 1, version: 2, at: iso(T0), bidId: 1, endsAt: iso(T0 + 9000) })).toEqual({
      ...before,
      version: 2,
      endsAt: iso(T0 + 9000),
    });
  });

  it('ends the auction on sold, closed and cancelled: status, final price and leader, no next bid', () => {
    const open = auction(1, { currentPrice: 150, leaderId: 7, bidCount: 1, minNextBid: 160, version: 1 });
    const end = iso(T0 + 1000);
    expect(applyEvent(open, { type: 'sold', auction: 1, version: 2, at: end, status: 'sold', buyerId: 8, price: 900, leaderId: 8, previousLeaderId: 7, endsAt: end }))
      .toMatchObject({ status: 'sold', currentPrice: 900, leaderId: 8, minNextBid: null, endsAt: end, version: 2 });
    expect(applyEvent(open, { type: 'closed', auction: 1, version: 2, at: end, status: 'closed', winnerId: 7, price: 150, reason: null, endsAt: end }))
      .toMatchObject({ status: 'closed', currentPrice: 150, leaderId: 7, minNextBid: null });
    expect(applyEvent(auction(1), { type: 'closed', auction: 1, version: 1, at: end, status: 'unsold', winnerId: null, price: null, reason: 'no_bids', endsAt: end }))
      .toMatchObject({ status: 'unsold', currentPrice: null, leaderId: null, minNextBid: null });
    // The daemon keeps a cancelled auction's leader and price.
    expect(applyEvent(open, { type: 'cancelled', auction: 1, version: 2, at: end, status: 'cancelled', previousLeaderId: 7, endsAt: end }))
      .toMatchObject({ status: 'cancelled', currentPrice: 150, leaderId: 7, minNextBid: null });
  });

  it('follows the reserve and buy now through bids, and keeps the last price of an auction unsold for its reserve', () => {
    const end = iso(T0 + 1000);
    const reserve = auction(1, { hasReserve: true, buyNowPrice: 600, buyNowUntil: 'reserveMet', buyNowAvailable: true });
    const below = applyEvent(reserve, bid(1, 1, 7, 300, { reserveMet: false }))!;
    expect(below).toMatchObject({ reserveMet: false, buyNowAvailable: true });
    expect(applyEvent(below, bid(1, 2, 8, 500, { reserveMet: true }))).toMatchObject({ reserveMet: true, buyNowAvailable: false });
    expect(applyEvent(below, { type: 'closed', auction: 1, version: 2, at: end, status: 'unsold', winnerId: null, price: null, reason: 'reserve_not_met', endsAt: end }))
      .toMatchObject({ status: 'unsold', unsoldReason: 'reserve_not_met', currentPrice: 300, leaderId: 7, buyNowAvailable: false });
    const price = auction(2, { buyNowPrice: 600, buyNowAvailable: true });
    expect(applyEvent(price, bid(2, 1, 7, 590))).toMatchObject({ buyNowAvailable: true });
    expect(applyEvent(price, bid(2, 1, 7, 600))).toMatchObject({ buyNowAvailable: false });
    const first = auction(3, { buyNowPrice: 600, buyNowUntil: 'firstBid', buyNowAvailable: true });
    expect(applyEvent(first, bid(3, 1, 7, 100, { automatic: false }))).toMatchObject({ buyNowAvailable: false });
  });

  it('changes nothing for an event the state already includes', () => {
    const state = auction(1, { currentPrice: 160, leaderId: 8, bidCount: 2, version: 2 });
    expect(applyEvent(state, bid(1, 2, 8, 160))).toBeNull();
    expect(applyEvent(state, bid(1, 1, 7, 150))).toBeNull();
  });

  it('works on any state holding the fields events change', () => {
    const known = { title: 'Lamp', shown: true, version: 0, status: 'open' as const, currentPrice: null, leaderId: null, bidCount: 0, endsAt: '', minNextBid: null };
    expect(applyEvent(known, bid(1, 1, 7, 150))).toMatchObject({ title: 'Lamp', shown: true, currentPrice: 150, leaderId: 7 });
  });
});
