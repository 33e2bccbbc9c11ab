// What a public event does to the auction it is about. Every screen that keeps
// an auction up to date from the socket (the TUI's board, the CLI's `watch`)
// applies events here, so they agree on the state each event leaves.
import type { AuctionEvent } from '../protocol/events.js';
import type { Auction } from '../protocol/types.js';

/** The fields of an auction that events change. */
export type EventFields = Pick<Auction, 'version' | 'status' | 'currentPrice' | 'leaderId' | 'bidCount' | 'endsAt' | 'minNextBid'>;

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
      break;
    case 'extended':
      next.endsAt = event.endsAt;
      break;
    case 'sold':
    case 'closed':
      next.status = event.status;
      next.currentPrice = event.price;
      next.leaderId = event.type === 'sold' ? event.leaderId : event.winnerId;
      next.endsAt = event.endsAt;
      next.minNextBid = null;
      break;
    case 'cancelled':
      // The daemon keeps the leader of a cancelled auction (an admin may cancel one with bids).
      next.status = 'cancelled';
      next.endsAt = event.endsAt;
      next.minNextBid = null;
      break;
  }
  return next;
}
