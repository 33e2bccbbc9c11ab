// Schemas of what the daemon answers over HTTP: the source of the OpenAPI
// document's answer schemas. The types in types.ts are the ones code uses; each
// schema names its type (shapeOf), so the two cannot drift apart unseen.
import { z } from 'zod';
import { shapeOf, type Expect, type Same } from './shape-check.js';
import { errorCodes, type ErrorCode } from './errors.js';
import { nonNegativeMoney, positiveMoney } from './schemas.js';
import {
  auctionStatuses,
  buyNowUntils,
  unsoldReasons,
  type Auction,
  type AuctionDetail,
  type AuctionList,
  type AuditReport,
  type Balance,
  type Bid,
  type BidResult,
  type CreatedUser,
  type Health,
  type Me,
  type MyBid,
  type MyBids,
  type UserList,
  type UserName,
} from './types.js';

/** A row id: a safe integer ≥ 1. */
export const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** An auction's version: 0 when created, one more per event. */
export const version = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A time as the daemon writes it: ISO 8601 in UTC with milliseconds. */
export const time = z.iso.datetime();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const auction = shapeOf<Auction>()(z
  .object({
    id,
    title: z.string(),
    sellerId: id,
    status: z.enum(auctionStatuses),
    startPrice: positiveMoney,
    minIncrement: positiveMoney.nullable().describe('The fixed increment; null when the auction has an increment table.'),
    increments: z
      .array(z.object({ from: nonNegativeMoney, step: positiveMoney }))
      .describe('From `from` up, bids go up by `step`: ascending, the first from 0. A fixed increment is its one row.'),
    hasReserve: z.boolean().describe('The seller set a reserve price; the price itself is never shown.'),
    reserveMet: z.boolean().describe('The price has reached the reserve (without one: true from the first bid).'),
    buyNowPrice: positiveMoney.nullable(),
    buyNowUntil: z.enum(buyNowUntils).describe('Buy now is offered until bidding reaches its price, the first bid, or the reserve is met.'),
    buyNowAvailable: z.boolean().describe('Buy now may be used now.'),
    softCloseSec: z.number().int().min(1).nullable().describe('A bid this close to the end moves the end to this long after the bid.'),
    currentPrice: positiveMoney.nullable().describe('Price of the leading bid (or the buy-now price once sold); null before the first bid.'),
    leaderId: id.nullable(),
    bidCount: count,
    minNextBid: positiveMoney.nullable().describe('The smallest bid the rules accept next (null once the auction is not open).'),
    endsAt: time,
    createdAt: time,
    version,
    unsoldReason: z.enum(unsoldReasons).nullable().describe('Why it ended unsold: no bids, or the reserve was not met.'),
    watching: count.optional().describe('Distinct users (or anonymous sockets) watching it over all daemons, as of the last second: in show and list answers and in snapshots.'),
  })
  .describe('An auction as anyone sees it (never a maximum nor the reserve price); money is a whole number of the smallest unit.'));

export const bid = shapeOf<Bid>()(z.object({
  id,
  auctionId: id,
  bidderId: id,
  amount: positiveMoney,
  version: version.describe('The auction version this bid produced.'),
  at: time,
  automatic: z.boolean().describe("Placed by the bidder's maximum in answer to someone else's bid."),
}));

export const auctionDetail = shapeOf<AuctionDetail>()(auction.extend({ recentBids: z.array(bid).describe('The most recent bids, newest first.') }));

export const auctionList = shapeOf<AuctionList>()(z.object({
  auctions: z.array(auction),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
}));

export const bidResult = shapeOf<BidResult>()(z.object({
  bid: bid.nullable().describe('Your own bid row; null when you raised your maximum without moving the price.'),
  bids: z.array(bid).describe('Every row your bid made, in version order: yours and the automatic ones it caused.'),
  auction,
  leading: z.boolean().describe('You lead after this bid.'),
  yourMax: positiveMoney.nullable().describe('Your working maximum while you lead (shown to you alone); null otherwise.'),
}));

export const myBid = shapeOf<MyBid>()(z.object({
  auctionId: id,
  title: z.string(),
  status: z.enum(auctionStatuses),
  currentPrice: positiveMoney.nullable(),
  minNextBid: positiveMoney.nullable(),
  reserveMet: z.boolean(),
  endsAt: time,
  leading: z.boolean().describe('You lead (open) or won (closed).'),
  yourMax: positiveMoney.describe('Your working maximum while you lead; else your highest bid.'),
}));

export const myBids = shapeOf<MyBids>()(z.object({ bids: z.array(myBid).describe('The auctions you have bid on, newest first.') }));

/** Buy-now and cancel answer with the auction as it is afterwards. */
export const auctionResult = z.object({ auction });

export const balance = shapeOf<Balance>()(z.object({ id, balance: nonNegativeMoney, held: nonNegativeMoney, available: nonNegativeMoney }));

export const me = shapeOf<Me>()(balance.extend({ name: z.string() }));

export const userName = shapeOf<UserName>()(z.object({ id, name: z.string() }).describe('What anyone may read about a user: the name they bid under.'));

export const userList = shapeOf<UserList>()(z.object({ users: z.array(userName).describe('The users asked for that exist, each once, in the order asked.') }));

export const createdUser = z.object({
  id,
  name: z.string(),
  balance: nonNegativeMoney,
  token: z
    .string()
    .nullable()
    .describe('Shown only in the first answer; a replay of the same Idempotency-Key answers null (only its hash is stored).'),
});

export const rotatedToken = z.object({ id, name: z.string(), token: z.string().describe('The new token, shown once; the old one stops working.') });

export const whoami = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('admin') }),
  z.object({ kind: z.literal('user'), id, name: z.string() }),
]);

export const auditReport = shapeOf<AuditReport>()(z.object({
  ok: z.boolean(),
  violations: z.array(
    z.object({ kind: z.string(), message: z.string(), userId: id.optional(), auctionId: id.optional() }),
  ),
  users: count,
  auctions: count,
  ledgerRows: count,
  totalDeposits: count.nullable().describe('Sum of all deposits; equals totalBalances when money is conserved.'),
  totalBalances: count.nullable(),
}));

export const health = shapeOf<Health>()(z.object({
  ok: z.boolean(),
  version: z.string(),
  database: z.enum(['up', 'down']),
  daemonId: z.string(),
}));

/** The answer of the liveness and readiness probes. */
export const probe = z.object({ ok: z.literal(true) });
export type Probe = z.infer<typeof probe>;

export const errorCodeSchema = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);

export const errorAnswer = z
  .object({
    error: z
      .looseObject({
        code: errorCodeSchema.describe('Stable; scripts may rely on it.'),
        message: z.string().describe('One human sentence.'),
      })
      .describe('Other fields are details of the code, e.g. `minimum` for BID_TOO_LOW.'),
  })
  .describe('Every refusal and failure.');

// Each schema above names its type in types.ts (shapeOf); the token of a created
// user is the one field apart: the type says string, for code that holds a first
// answer, while a replay answers null.
export type CreatedUserShape = Expect<Same<Omit<z.infer<typeof createdUser>, 'token'>, Omit<CreatedUser, 'token'>>>;
