// The shapes that cross the wire, shared by daemon, client, CLI, TUI and bench.
// Money is always a safe integer of the smallest unit; times are ISO 8601 strings.
import type { IncrementStep } from './increments.js';

export type { IncrementStep, IncrementTable } from './increments.js';

export const auctionStatuses = ['open', 'sold', 'closed', 'unsold', 'cancelled'] as const;
export type AuctionStatus = (typeof auctionStatuses)[number];

/** How long buy now stays offered: until bidding reaches its price (default), the first bid, or the reserve is met. */
export const buyNowUntils = ['price', 'firstBid', 'reserveMet'] as const;
export type BuyNowUntil = (typeof buyNowUntils)[number];

/** Why an auction ended unsold. */
export const unsoldReasons = ['no_bids', 'reserve_not_met'] as const;
export type UnsoldReason = (typeof unsoldReasons)[number];

/** Why buy now is not offered (BUY_NOW_UNAVAILABLE's `reason`). */
export const buyNowRefusals = ['no_buy_now', 'price_reached', 'first_bid', 'reserve_met'] as const;
export type BuyNowRefusal = (typeof buyNowRefusals)[number];

/**
 * An auction as anyone may see it. A working maximum and the reserve price
 * are never here (docs/rules.md, "Privacy"): only `hasReserve` and `reserveMet`.
 */
export interface Auction {
  id: number;
  title: string;
  sellerId: number;
  status: AuctionStatus;
  startPrice: number;
  /** The fixed increment the seller gave; null when the auction has an increment table. */
  minIncrement: number | null;
  /** Always a table: a fixed increment is its one row {from: 0, step: minIncrement}. */
  increments: IncrementStep[];
  /** The seller set a (hidden) reserve price. */
  hasReserve: boolean;
  /** The price has reached the reserve; without a reserve, true from the first bid. */
  reserveMet: boolean;
  buyNowPrice: number | null;
  buyNowUntil: BuyNowUntil;
  /** Buy now may be used now: open, before its end, and `buyNowUntil` still offers it. */
  buyNowAvailable: boolean;
  softCloseSec: number | null;
  /** Price of the leading bid (or the buy-now price once sold); null before the first bid. */
  currentPrice: number | null;
  leaderId: number | null;
  bidCount: number;
  /** The smallest bid the rules accept next (null once the auction is not open). */
  minNextBid: number | null;
  endsAt: string;
  createdAt: string;
  version: number;
  /** Why it ended unsold (status `unsold`); null otherwise. */
  unsoldReason: UnsoldReason | null;
  /**
   * Distinct users (or anonymous sockets) watching it over all daemons, as of
   * the last second: in show and list answers and in snapshots.
   */
  watching?: number;
}

/** A bid row: every visible bid, typed by its bidder or placed by their maximum. */
export interface Bid {
  id: number;
  auctionId: number;
  bidderId: number;
  amount: number;
  /** The auction version this bid produced. */
  version: number;
  at: string;
  /** Placed by the bidder's maximum in answer to someone else's bid. */
  automatic: boolean;
}

export interface AuctionDetail extends Auction {
  /** The most recent bids, newest first. */
  recentBids: Bid[];
}

export interface Me {
  id: number;
  name: string;
  balance: number;
  held: number;
  available: number;
}

/** What anyone may read about a user: the name they bid under (never their money). */
export interface UserName {
  id: number;
  name: string;
}

/** Most user ids one `GET /v1/users?ids=` may ask for. */
export const MAX_USER_IDS = 200;

export interface UserList {
  /** The users asked for that exist, each once, in the order asked. */
  users: UserName[];
}

export interface CreatedUser {
  id: number;
  name: string;
  balance: number;
  /** Shown only once, at creation; the daemon stores only its hash. */
  token: string;
}

export interface Balance {
  id: number;
  balance: number;
  held: number;
  available: number;
}

export interface AuctionList {
  auctions: Auction[];
  nextCursor: string | null;
}

/** The 201 answer to a bid, plain `{amount}` or maximum `{max}`. */
export interface BidResult {
  /** The caller's own bid row; null when a leader raised their maximum without moving the price. */
  bid: Bid | null;
  /** Every row the bid made, in version order: the caller's and any automatic ones it caused. */
  bids: Bid[];
  auction: Auction;
  /** Whether the caller leads after the bid. */
  leading: boolean;
  /** The caller's working maximum while they lead (shown to them only); null otherwise. */
  yourMax: number | null;
}

/** One line of GET /v1/me/bids: an auction the caller has bid on, as they see it. */
export interface MyBid {
  auctionId: number;
  title: string;
  status: AuctionStatus;
  currentPrice: number | null;
  minNextBid: number | null;
  reserveMet: boolean;
  endsAt: string;
  /** The caller leads (open), or won (closed). */
  leading: boolean;
  /** Their working maximum while they lead; else their highest bid, which is public. */
  yourMax: number;
}

export interface MyBids {
  /** Newest auction first. */
  bids: MyBid[];
}

export interface AuditViolation {
  kind: string;
  message: string;
  userId?: number;
  auctionId?: number;
}

export interface AuditReport {
  ok: boolean;
  violations: AuditViolation[];
  users: number;
  auctions: number;
  ledgerRows: number;
  /**
   * Sum of all deposits; equals the sum of all balances when money is
   * conserved. Deposits keep it within 2^53 − 1; null only when changes made
   * outside neighborbid took it past that (a `total_out_of_range` violation says so).
   */
  totalDeposits: number | null;
  totalBalances: number | null;
}

export interface Health {
  ok: boolean;
  version: string;
  database: 'up' | 'down';
  daemonId: string;
  /** The embedded PostgreSQL as the daemon that runs it sees it; absent with --database-url. */
  postgres?: PostgresHealth;
}

/** What the daemon's supervisor knows of its embedded PostgreSQL. */
export interface PostgresHealth {
  /** `restarting` from the moment the postmaster was found dead until a new one accepts connections. */
  state: 'running' | 'restarting';
  pid: number;
  port: number;
  /** Restarts since the daemon started. */
  restarts: number;
  /** How the last one ended, when, and what its log said last. */
  lastExit?: string;
}
