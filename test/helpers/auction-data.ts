// Auctions and bid events as the daemon sends them, for tests of what the screens
// make of them (the TUI's board, `watch` lines, CLI views). Times are fixed: T0 and later.
import type { AuctionEvent, BidEvent } from '../../src/protocol/events.js';
import type { Auction } from '../../src/protocol/types.js';

export const T0 = Date.parse('2030-01-01T12:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

/** An open auction without bids, ending `id` minutes after T0. */
export function auction(id: number, over: Partial<Auction> = {}): Auction {
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
    currentPrice: null,
    leaderId: null,
    bidCount: 0,
    minNextBid: 100,
    endsAt: iso(T0 + 60_000 * id),
    createdAt: iso(T0 - 1000),
    version: 0,
    unsoldReason: null,
    ...over,
  };
}

/** The bid event of version `version`: the bidder leads at `amount`, the version-th bid. */
export function bid(id: number, version: number, bidderId: number, amount: number, over: Partial<BidEvent> = {}): AuctionEvent {
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
  };
}
