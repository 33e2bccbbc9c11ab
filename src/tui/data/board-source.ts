// The TUI's one window on the daemon: a live event stream over one socket plus
// the few HTTP calls a person makes. Components never see the socket or the
// HTTP client; tests drive them with a fake that implements this interface.
import type { ErrorCode } from '../../protocol/errors.js';
import type { AuctionEvent, PrivateEvent } from '../../protocol/events.js';
import type { InboxEvent } from '../../protocol/inbox.js';
import type { Auction, AuctionDetail, BidResult, Me, MyBids, UserList } from '../../protocol/types.js';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  /** `code`: why the last attempt failed (e.g. TOO_MANY_CONNECTIONS), when there was an attempt. */
  | { kind: 'reconnecting'; attempt: number; code?: ErrorCode }
  | { kind: 'closed'; reason: string; code?: ErrorCode };

export interface BoardSourceHandlers {
  /** The whole current state of an auction (on subscribe, or after a gap). */
  snapshot(auction: Auction): void;
  /** A committed public event on a subscribed auction. */
  event(event: AuctionEvent): void;
  /** An event private to the token's user (outbid, balance). */
  private(event: PrivateEvent): void;
  /** How many watch an auction over all daemons, when that changes. */
  presence?(auction: number, watching: number): void;
  connection(state: ConnectionState): void;
}

/** The user's private events since the board last showed them (read before it opened). */
export interface Away {
  events: InboxEvent[];
  /** Some of them are no longer kept by the daemon. */
  truncated: boolean;
}

export interface BoardSource {
  /** The daemon's address, for the header. */
  readonly address: string;
  /** What happened while the user was away, shown when the board opens; none without a user. */
  readonly away?: Away | undefined;
  /** True when a user token is present: bidding, buying and private events work. */
  readonly hasUser: boolean;
  /** Opens the stream; handlers are called until close(). */
  start(handlers: BoardSourceHandlers): void;
  /** Adds auctions to the one socket's subscription. */
  subscribe(ids: number[]): void;
  unsubscribe(ids: number[]): void;
  /** Open auctions, soonest ending first. */
  listOpen(): Promise<Auction[]>;
  detail(id: number): Promise<AuctionDetail>;
  /** The token's user, or null without a token. */
  me(): Promise<Me | null>;
  /** Names of up to 200 users (events carry ids; the board shows names). */
  users(ids: readonly number[]): Promise<UserList>;
  bid(auctionId: number, amount: number): Promise<BidResult>;
  /** A maximum bid: the auction bids for the user up to `max`. */
  bidMax(auctionId: number, max: number): Promise<BidResult>;
  /** The user's auctions with their own maximum (GET /v1/me/bids), to mark those they lead by one. */
  myBids(): Promise<MyBids>;
  buy(auctionId: number): Promise<{ auction: Auction }>;
  close(): Promise<void>;
}
