// Auction events: written to the outbox in the transaction that makes them and
// published only after it commits. Every public event carries the auction id and
// its version, which is gapless per auction and in commit order.
import type { AuctionStatus, UnsoldReason } from './types.js';

export const publicEventTypes = ['bid', 'extended', 'sold', 'closed', 'cancelled'] as const;
export type PublicEventType = (typeof publicEventTypes)[number];

interface EventBase {
  auction: number;
  version: number;
  /** When the transaction wrote the event (just before its commit). */
  at: string;
}

/**
 * A bid row. `leaderId` is the leader after this row: a bid below the
 * leader's maximum already names the leader, whose automatic answer follows.
 */
export interface BidEvent extends EventBase {
  type: 'bid';
  bidId: number;
  bidderId: number;
  amount: number;
  /** Placed by the bidder's maximum in answer to someone else's bid. */
  automatic: boolean;
  price: number;
  leaderId: number;
  previousLeaderId: number | null;
  bidCount: number;
  endsAt: string;
  minNextBid: number | null;
  /** The price has reached the (hidden) reserve; without a reserve, always true after a bid. */
  reserveMet: boolean;
}

/** A bid inside the soft-close window moved the end. */
export interface ExtendedEvent extends EventBase {
  type: 'extended';
  endsAt: string;
  bidId: number;
}

export interface SoldEvent extends EventBase {
  type: 'sold';
  status: 'sold';
  buyerId: number;
  price: number;
  leaderId: number;
  previousLeaderId: number | null;
  endsAt: string;
}

export interface ClosedEvent extends EventBase {
  type: 'closed';
  status: Extract<AuctionStatus, 'closed' | 'unsold'>;
  winnerId: number | null;
  price: number | null;
  /** Why it ended unsold; null when closed with a winner. */
  reason: UnsoldReason | null;
  endsAt: string;
}

export interface CancelledEvent extends EventBase {
  type: 'cancelled';
  status: 'cancelled';
  previousLeaderId: number | null;
  endsAt: string;
}

export type AuctionEvent = BidEvent | ExtendedEvent | SoldEvent | ClosedEvent | CancelledEvent;

/** What took the lead from you: a plain bid, a maximum, a buy-now, or an admin's cancel. */
export const outbidCauses = ['bid', 'max', 'buyNow', 'cancel'] as const;
export type OutbidCause = (typeof outbidCauses)[number];

/**
 * Private to one user: someone else took the lead from you, or your bid was
 * answered at once by the leader's maximum (then `released` is 0: it never led).
 */
export interface OutbidEvent extends EventBase {
  type: 'outbid';
  by: OutbidCause;
  /** The new leading price; null when an admin cancelled the auction. */
  price: number | null;
  leaderId: number | null;
  /** Your hold on this auction that was released (0 when your bid never led). */
  released: number;
}

/** Private to one user: your maximum answered someone's bid; you lead at `price`. */
export interface MaxRaisedEvent extends EventBase {
  type: 'maxRaised';
  price: number;
  /** Your maximum (yours alone to see). */
  max: number;
}

/** Private to one user: the price has reached your maximum; an `outbid` follows if you lost the lead. */
export interface MaxExhaustedEvent extends EventBase {
  type: 'maxExhausted';
  max: number;
}

/** Private to one user: their balance or holds changed. */
export interface BalanceEvent {
  type: 'balance';
  userId: number;
  balance: number;
  held: number;
  available: number;
  at: string;
}

/** Private to one user: you won an auction (it closed with you leading, or you bought it now). */
export interface WonEvent extends EventBase {
  type: 'won';
  /** What you pay: your winning bid, or the buy-now price. */
  price: number;
}

/**
 * Private to one user: an auction you bid on ended without you winning it —
 * someone else won or bought it, or it ended below its reserve (nobody won;
 * the leader hears it too).
 */
export interface LostEvent extends EventBase {
  type: 'lost';
  /** What the winner pays; null when it ended below its reserve. */
  price: number | null;
  /** Who won or bought it; null when it ended below its reserve. */
  winnerId: number | null;
  /** `reserve_not_met` when nobody won, else null (as the public `closed` event's). */
  reason: UnsoldReason | null;
}

/** Private to the seller: your auction sold (at its close, or bought now). */
export interface SaleEvent extends EventBase {
  type: 'sale';
  price: number;
  buyerId: number;
}

/** Private to the seller: your auction ended unsold — without a bid, or below your reserve. */
export interface UnsoldEvent extends EventBase {
  type: 'unsold';
  reason: UnsoldReason;
}

export type PrivateEvent =
  | OutbidEvent | MaxRaisedEvent | MaxExhaustedEvent | BalanceEvent | WonEvent | LostEvent | SaleEvent | UnsoldEvent;

export const privateEventTypes = [
  'outbid', 'maxRaised', 'maxExhausted', 'balance', 'won', 'lost', 'sale', 'unsold',
] as const satisfies readonly PrivateEvent['type'][];

/** True for an event private to one user (never one of an auction's public history). */
export function isPrivateEvent(event: { type: string }): event is PrivateEvent {
  return (privateEventTypes as readonly string[]).includes(event.type);
}

/**
 * The private part of an outbox row: never sent as is, but turned into
 * per-user inbox events in the transaction that wrote it (the trigger of
 * src/daemon/rules/sql/inbox.ts), in this order: maxRaised, maxExhausted,
 * outbid, then balances. Price and leader come from the row's public payload.
 */
export interface EventPrivate {
  maxRaised?: { userId: number; max: number };
  maxExhausted?: { userId: number; max: number };
  /** `by` is missing only on rows written before rules version 2 (a bid, or a buy-now). */
  outbid?: { userId: number; released: number; by?: OutbidCause };
  balances?: { userId: number; balance: number; held: number }[];
}

/** Status an event leaves the auction in, where it changes it. */
export function statusAfter(event: AuctionEvent): AuctionStatus | null {
  return 'status' in event ? event.status : null;
}
