// The reference model's data: state, commands, answers and events. Everything
// here is plain JSON-able data, so a property test can send the same commands
// to the model and to a real daemon and compare what comes back. Times are
// whole milliseconds on the model's clock; money is safe integers.
import type { ErrorCode } from '../../src/protocol/errors.js';
import type { IncrementTable } from '../../src/protocol/increments.js';
import type { AuctionStatus } from '../../src/protocol/types.js';

export type BuyNowUntil = 'price' | 'firstBid' | 'reserveMet';
export type UnsoldReason = 'no_bids' | 'reserve_not_met';
export type BuyNowRefusal = 'no_buy_now' | 'price_reached' | 'first_bid' | 'reserve_met';

export interface ModelUser {
  id: number;
  balance: number;
  /** Funds reserved by leading bids: the sum of the maxima of the open auctions this user leads. */
  held: number;
}

export interface ModelAuction {
  id: number;
  sellerId: number;
  status: AuctionStatus;
  startPrice: number;
  /** The fixed increment the seller gave, or null for a table. */
  minIncrement: number | null;
  /** Always a table; a fixed increment is its one-row table. */
  increments: IncrementTable;
  /** Hidden: never in a public view or event. */
  reservePrice: number | null;
  buyNowPrice: number | null;
  buyNowUntil: BuyNowUntil;
  softCloseMs: number | null;
  endsAt: number;
  /** The amount of the latest bid row; null before the first. */
  price: number | null;
  leaderId: number | null;
  /**
   * Hidden: the leader's maximum, which is also the leader's hold on this
   * auction. A plain bid's maximum is its amount. Always ≥ price.
   */
  leaderMax: number | null;
  bidCount: number;
  version: number;
  unsoldReason: UnsoldReason | null;
}

/** A bid row: every visible bid, typed or placed by a maximum on its owner's behalf. */
export interface ModelBid {
  id: number;
  auctionId: number;
  bidderId: number;
  amount: number;
  version: number;
  /** Placed by the bidder's maximum in answer to someone else's command. */
  automatic: boolean;
  at: number;
}

export interface ModelState {
  now: number;
  users: Record<number, ModelUser>;
  auctions: Record<number, ModelAuction>;
  bids: ModelBid[];
  /** Every deposit and opening balance so far: the sum of all balances, always. */
  supply: number;
  nextUserId: number;
  nextAuctionId: number;
}

export interface CreateAuctionCommand {
  kind: 'createAuction';
  seller: number;
  startPrice: number;
  /** Exactly one of minIncrement and increments. */
  minIncrement?: number;
  increments?: IncrementTable | 'standard';
  reservePrice?: number;
  buyNowPrice?: number;
  /** Default "price", today's rule. */
  buyNowUntil?: BuyNowUntil;
  softCloseSec?: number;
  durationSec: number;
}

/** What a caller asks; `body` of a bid is the HTTP body, `{amount}` or `{max}`. */
export type Command =
  | { kind: 'createUser'; balance?: number }
  | { kind: 'deposit'; user: number; amount: number }
  | CreateAuctionCommand
  | { kind: 'bid'; auction: number; user: number; body: { amount: number } | { max: number } }
  | { kind: 'buy'; auction: number; user: number }
  | { kind: 'cancel'; auction: number; by: number | 'admin' }
  /** Time passes; nothing settles until `settle`. */
  | { kind: 'advance'; ms: number }
  /** The closer: settles every open auction whose end has come, ascending id. */
  | { kind: 'settle' };

/** An auction as anyone may see it (GET /v1/auctions/:id): no reserve price, no maximum. */
export interface PublicAuction {
  id: number;
  sellerId: number;
  status: AuctionStatus;
  startPrice: number;
  minIncrement: number | null;
  increments: IncrementTable;
  hasReserve: boolean;
  reserveMet: boolean;
  buyNowPrice: number | null;
  buyNowUntil: BuyNowUntil;
  buyNowAvailable: boolean;
  softCloseSec: number | null;
  currentPrice: number | null;
  leaderId: number | null;
  bidCount: number;
  minNextBid: number | null;
  endsAt: number;
  version: number;
  unsoldReason: UnsoldReason | null;
}

export interface Refused {
  code: ErrorCode;
  details: Record<string, unknown>;
}

export interface Accepted {
  code: 'OK';
  /** createUser */
  userId?: number;
  /** deposit */
  balance?: number;
  /** createAuction, bid, buy, cancel: the auction after the command, as the public sees it. */
  auction?: PublicAuction;
  /** bid: the caller's own bid row (HTTP `bid`); null when a leader raised their maximum without a new row. */
  bid?: ModelBid | null;
  /** bid: every row the command made, in version order, automatic ones included. */
  bids?: ModelBid[];
  /** bid: whether the caller leads after it. */
  leading?: boolean;
  /** bid: the caller's working maximum while they lead (shown to them only), else null. */
  yourMax?: number | null;
  /** settle: the auctions settled, ascending id. */
  settled?: number[];
}

export type Answer = Accepted | Refused;

// Public events: every one bumps the auction's version by one.
export interface BidEvent {
  type: 'bid';
  auction: number;
  version: number;
  bidId: number;
  bidderId: number;
  amount: number;
  automatic: boolean;
  price: number;
  leaderId: number;
  previousLeaderId: number | null;
  bidCount: number;
  endsAt: number;
  minNextBid: number | null;
  reserveMet: boolean;
}
export interface ExtendedEvent { type: 'extended'; auction: number; version: number; endsAt: number; bidId: number }
export interface SoldEvent {
  type: 'sold';
  auction: number;
  version: number;
  status: 'sold';
  buyerId: number;
  price: number;
  leaderId: number;
  previousLeaderId: number | null;
  endsAt: number;
}
export interface ClosedEvent {
  type: 'closed';
  auction: number;
  version: number;
  status: 'closed' | 'unsold';
  winnerId: number | null;
  price: number | null;
  /** Why an auction went unsold; null when closed with a winner. */
  reason: UnsoldReason | null;
  endsAt: number;
}
export interface CancelledEvent {
  type: 'cancelled';
  auction: number;
  version: number;
  status: 'cancelled';
  previousLeaderId: number | null;
  endsAt: number;
}
export type PublicEvent = BidEvent | ExtendedEvent | SoldEvent | ClosedEvent | CancelledEvent;

// Private events: each to one user (`to`), carrying the version of the public event it goes with.
export interface OutbidEvent {
  type: 'outbid';
  to: number;
  auction: number;
  version: number;
  /** What took the lead from you: a plain bid, a maximum, a buy-now, or an admin's cancel. */
  by: 'bid' | 'max' | 'buyNow' | 'cancel';
  price: number | null;
  leaderId: number | null;
  /** Your hold on this auction that was freed (0 when your bid never led). */
  released: number;
}
/** Your maximum answered someone's bid; you lead at `price`. */
export interface MaxRaisedEvent { type: 'maxRaised'; to: number; auction: number; version: number; price: number; max: number }
/** Your maximum is used up: the price reached it (an `outbid` follows if you lost the lead). */
export interface MaxExhaustedEvent { type: 'maxExhausted'; to: number; auction: number; version: number; max: number }
export interface BalanceEvent { type: 'balance'; to: number; balance: number; held: number; available: number }
/**
 * An auction you bid on ended without you winning it: to every bidder but the
 * winner or buyer — every bidder when it ended below its reserve (price,
 * winner null). The daemon tells them on the closer's next pass.
 */
export interface LostEvent {
  type: 'lost';
  to: number;
  auction: number;
  version: number;
  price: number | null;
  winnerId: number | null;
  reason: UnsoldReason | null;
}
export type PrivateEvent = OutbidEvent | MaxRaisedEvent | MaxExhaustedEvent | BalanceEvent | LostEvent;

export type ModelEvent = PublicEvent | PrivateEvent;

export interface Step {
  state: ModelState;
  answer: Answer;
  /** In the order they happen: each public event followed by the private ones it causes; balances last. */
  events: ModelEvent[];
}
