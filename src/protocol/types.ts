// The shapes that cross the wire, shared by daemon, client, CLI, TUI and bench.
// Money is always a safe integer of the smallest unit; times are ISO 8601 strings.

export const auctionStatuses = ['open', 'sold', 'closed', 'unsold', 'cancelled'] as const;
export type AuctionStatus = (typeof auctionStatuses)[number];

export interface Auction {
  id: number;
  title: string;
  sellerId: number;
  status: AuctionStatus;
  startPrice: number;
  minIncrement: number;
  buyNowPrice: number | null;
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
  /**
   * Distinct users (or anonymous sockets) watching it over all daemons, as of
   * the last second: in show and list answers and in snapshots.
   */
  watching?: number;
}

export interface Bid {
  id: number;
  auctionId: number;
  bidderId: number;
  amount: number;
  /** The auction version this bid produced. */
  version: number;
  at: string;
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

export interface BidResult {
  bid: Bid;
  auction: Auction;
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
}
