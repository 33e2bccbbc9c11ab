// What a public event does to the auction it is about. Every screen that keeps
// an auction up to date from the socket (the TUI's board, the CLI's `watch`)
// applies events here, so they agree on the state each event leaves.
import type { AuctionEvent, BidEvent } from '../protocol/events.js';
import type { Auction } from '../protocol/types.js';

/** The fields of an auction that events change (the last three where the state keeps them). */
export type EventFields = Pick<Auction, 'version' | 'status' | 'currentPrice' | 'leaderId' | 'bidCount' | 'endsAt' | 'minNextBid'> &
  Partial<Pick<Auction, 'reserveMet' | 'buyNowAvailable' | 'unsoldReason'>>;

/**
 * The state after one public event, as a new object: the event's fields over
 * `state`. Null for an event not newer than the state (a duplicate, or one the
 * state already includes), which changes nothing.
 */
export function applyEvent<T extends EventFields>(state: T, event: AuctionEvent): T | null {
  if (event.version <= state.version) return null;
  const next: T = { ...state, version: event.version };
  switch (event.type) {
    case 'bid':
      next.currentPrice = event.price;
      next.leaderId = event.leaderId;
      next.bidCount = event.bidCount;
      next.endsAt = event.endsAt;
      next.minNextBid = event.minNextBid;
      if (next.reserveMet !== undefined) next.reserveMet = event.reserveMet;
      if (next.buyNowAvailable) next.buyNowAvailable = stillOffered(next, event);
      break;
    case 'extended':
      next.endsAt = event.endsAt;
      break;
    case 'sold':
    case 'closed':
      next.status = event.status;
      // Unsold below its reserve, an auction keeps its last price and bidder, as the daemon shows it.
      if (event.type === 'sold' || event.reason !== 'reserve_not_met') {
        next.currentPrice = event.price;
        next.leaderId = event.type === 'sold' ? event.leaderId : event.winnerId;
      }
      if (next.unsoldReason !== undefined && event.type === 'closed') next.unsoldReason = event.reason;
      next.endsAt = event.endsAt;
      next.minNextBid = null;
      if (next.buyNowAvailable !== undefined) next.buyNowAvailable = false;
      break;
    case 'cancelled':
      // The daemon keeps the leader of a cancelled auction (an admin may cancel one with bids).
      next.status = 'cancelled';
      next.endsAt = event.endsAt;
      next.minNextBid = null;
      if (next.buyNowAvailable !== undefined) next.buyNowAvailable = false;
      break;
  }
  return next;
}

/** Whether buy now is still offered after a bid row, by the auction's buyNowUntil (docs/rules.md, "Buy now"). */
function stillOffered(a: Partial<Auction>, e: BidEvent): boolean {
  switch (a.buyNowUntil) {
    case 'firstBid':
      return false;
    case 'reserveMet':
      return !e.reserveMet;
    default:
      return a.buyNowPrice !== null && a.buyNowPrice !== undefined && e.price < a.buyNowPrice;
  }
}
