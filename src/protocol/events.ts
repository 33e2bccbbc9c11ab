// Auction events: written to the outbox in the transaction that makes them and
// published only after it commits. Every public event carries the auction id and
// its version, which is gapless per auction and in commit order.
import type { AuctionStatus } from './types.js';

export const publicEventTypes = ['bid', 'extended', 'sold', 'closed', 'cancelled'] as const;
export type PublicEventType = (typeof publicEventTypes)[number];

interface EventBase {
  auction: number;
  version: number;
  /** When the transaction wrote the event (just before its commit). */
  at: string;
}

export interface BidEvent extends EventBase {
  type: 'bid';
  bidId: number;
  bidderId: number;
  amount: number;
  price: number;
  leaderId: number;
  previousLeaderId: number | null;
  bidCount: number;
  endsAt: string;
  minNextBid: number;
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
  endsAt: string;
}

export interface CancelledEvent extends EventBase {
  type: 'cancelled';
  status: 'cancelled';
  previousLeaderId: number | null;
  endsAt: string;
}

export type AuctionEvent = BidEvent | ExtendedEvent | SoldEvent | ClosedEvent | CancelledEvent;

/** Private to one user: someone else took the lead from you. */
export interface OutbidEvent extends EventBase {
  type: 'outbid';
  /** The new leading price. */
  price: number;
  leaderId: number;
  /** Your hold on this auction was released. */
  released: number;
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

/** Private to one user: an auction you bid on ended with someone else winning it. */
export interface LostEvent extends EventBase {
  type: 'lost';
  price: number;
  winnerId: number;
}

/** Private to the seller: your auction sold (at its close, or bought now). */
export interface SaleEvent extends EventBase {
  type: 'sale';
  price: number;
  buyerId: number;
}

/** Private to the seller: your auction ended without a bid. */
export interface UnsoldEvent extends EventBase {
  type: 'unsold';
}

export type PrivateEvent = OutbidEvent | BalanceEvent | WonEvent | LostEvent | SaleEvent | UnsoldEvent;

export const privateEventTypes = ['outbid', 'balance', 'won', 'lost', 'sale', 'unsold'] as const satisfies readonly PrivateEvent['type'][];

/** True for an event private to one user (never one of an auction's public history). */
export function isPrivateEvent(event: { type: string }): event is PrivateEvent {
  return (privateEventTypes as readonly string[]).includes(event.type);
}

/**
 * The private part of an outbox row: never sent as is, but turned into
 * per-user inbox events (`outbid`, `balance`) in the transaction that wrote it
 * (migration 005).
 */
export interface EventPrivate {
  outbid?: { userId: number; released: number };
  balances?: { userId: number; balance: number; held: number }[];
}

/** Status an event leaves the auction in, where it changes it. */
export function statusAfter(event: AuctionEvent): AuctionStatus | null {
  return 'status' in event ? event.status : null;
}
