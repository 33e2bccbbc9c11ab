// Schemas of what the daemon sends on the WebSocket: the events of events.ts and
// the other frames of frames.ts, for the AsyncAPI document. Code uses the types
// there; each schema names its type (shapeOf), so the two stay one shape.
import { z } from 'zod';
import { CloseCode } from './errors.js';
import { shapeOf, type Expect, type Same } from './shape-check.js';
import { auction, bidResult, errorAnswer, errorCodeSchema, id, time, version } from './answers.js';
import {
  outbidCauses, type BalanceEvent, type BidEvent, type CancelledEvent, type ClosedEvent, type ExtendedEvent, type LostEvent,
  type MaxExhaustedEvent, type MaxRaisedEvent, type OutbidEvent, type SaleEvent, type SoldEvent, type UnsoldEvent, type WonEvent,
} from './events.js';
import {
  SOCKET_FEATURES,
  type BatchFrame,
  type ErrorFrame,
  type InboxAckFrame,
  type PongFrame,
  type PresenceFrame,
  type ReplyFrame,
  type ServerFrame,
  type SnapshotFrame,
  type SocketLimits,
  type SubscribedFrame,
  type UnsubscribedFrame,
  type WelcomeFrame,
} from './frames.js';
import { nonNegativeMoney, positiveMoney } from './schemas.js';
import { unsoldReasons } from './types.js';

/** The event's place in its user's inbox (GET /v1/me/events, the inbox op). */
const seq = z.number().int().min(1).describe("Gapless per user, in commit order: the event's place in the user's inbox.");

const base = {
  auction: id,
  version: version.describe('Gapless per auction, in commit order.'),
  at: time.describe('When the transaction wrote the event (just before its commit).'),
};

export const bidEvent = shapeOf<BidEvent>()(z.object({
  type: z.literal('bid'),
  ...base,
  bidId: id,
  bidderId: id,
  amount: positiveMoney,
  automatic: z.boolean().describe("Placed by the bidder's maximum in answer to someone else's bid."),
  price: positiveMoney,
  leaderId: id.describe('The leader after this row: a bid below the leader’s maximum already names the leader.'),
  previousLeaderId: id.nullable(),
  bidCount: z.number().int().min(1),
  endsAt: time,
  minNextBid: positiveMoney.nullable(),
  reserveMet: z.boolean(),
}));

export const extendedEvent = shapeOf<ExtendedEvent>()(z
  .object({ type: z.literal('extended'), ...base, endsAt: time, bidId: id })
  .describe('A bid inside the soft-close window moved the end.'));

export const soldEvent = shapeOf<SoldEvent>()(z.object({
  type: z.literal('sold'),
  ...base,
  status: z.literal('sold'),
  buyerId: id,
  price: positiveMoney,
  leaderId: id,
  previousLeaderId: id.nullable(),
  endsAt: time,
}));

export const closedEvent = shapeOf<ClosedEvent>()(z.object({
  type: z.literal('closed'),
  ...base,
  status: z.enum(['closed', 'unsold']),
  winnerId: id.nullable(),
  price: positiveMoney.nullable(),
  reason: z.enum(unsoldReasons).nullable().describe('Why it ended unsold; null when closed with a winner.'),
  endsAt: time,
}));

export const cancelledEvent = shapeOf<CancelledEvent>()(z.object({
  type: z.literal('cancelled'),
  ...base,
  status: z.literal('cancelled'),
  previousLeaderId: id.nullable(),
  endsAt: time,
}));

export const outbidEvent = shapeOf<OutbidEvent & { seq: number }>()(z
  .object({
    type: z.literal('outbid'),
    ...base,
    by: z.enum(outbidCauses).describe('What took the lead: a plain bid, a maximum, a buy-now, or an admin’s cancel.'),
    price: positiveMoney.nullable().describe('The new leading price; null when the auction was cancelled.'),
    leaderId: id.nullable(),
    released: nonNegativeMoney.describe('Your hold on this auction, now released (0 when your bid never led).'),
    seq,
  })
  .describe("Private to one user: someone else took the lead from you, or a leader's maximum answered your bid at once."));

export const maxRaisedEvent = shapeOf<MaxRaisedEvent & { seq: number }>()(z
  .object({ type: z.literal('maxRaised'), ...base, price: positiveMoney, max: positiveMoney.describe('Your maximum.'), seq })
  .describe('Private to one user: your maximum answered a bid; you lead at `price`.'));

export const maxExhaustedEvent = shapeOf<MaxExhaustedEvent & { seq: number }>()(z
  .object({ type: z.literal('maxExhausted'), ...base, max: positiveMoney, seq })
  .describe('Private to one user: the price has reached your maximum; an `outbid` follows if you lost the lead.'));

export const balanceEvent = shapeOf<BalanceEvent & { seq: number }>()(z
  .object({
    type: z.literal('balance'),
    userId: id,
    balance: nonNegativeMoney,
    held: nonNegativeMoney,
    available: nonNegativeMoney,
    at: time,
    seq,
  })
  .describe('Private to one user: their balance or holds changed.'));

export const wonEvent = shapeOf<WonEvent & { seq: number }>()(z
  .object({ type: z.literal('won'), ...base, price: positiveMoney.describe('What you pay: your winning bid, or the buy-now price.'), seq })
  .describe('Private to one user: you won an auction (it closed with you leading, or you bought it now).'));

export const lostEvent = shapeOf<LostEvent & { seq: number }>()(z
  .object({
    type: z.literal('lost'),
    ...base,
    price: positiveMoney.nullable().describe('What the winner pays; null when it ended below its reserve.'),
    winnerId: id.nullable().describe('Who won or bought it; null when it ended below its reserve.'),
    reason: z.enum(unsoldReasons).nullable().describe('`reserve_not_met` when nobody won (the leader hears it too), else null.'),
    seq,
  })
  .describe('Private to one user: an auction you bid on ended without you winning it (someone else won it, or it ended below its reserve).'));

export const saleEvent = shapeOf<SaleEvent & { seq: number }>()(z
  .object({ type: z.literal('sale'), ...base, price: positiveMoney, buyerId: id, seq })
  .describe('Private to the seller: your auction sold (at its close, or bought now).'));

export const unsoldPrivateEvent = shapeOf<UnsoldEvent & { seq: number }>()(z
  .object({ type: z.literal('unsold'), ...base, reason: z.enum(unsoldReasons).describe('Without a bid, or below your reserve.'), seq })
  .describe('Private to the seller: your auction ended unsold.'));

export const inboxAckFrame = shapeOf<InboxAckFrame>()(z
  .object({
    type: z.literal('inbox'),
    after: z.number().int().min(0).describe('Where the events restart: the private events that follow have seq > after.'),
    truncated: z.boolean().describe('Events after the position asked for are no longer kept (or the position is from another database).'),
  })
  .describe('Answers an inbox op: the private events that follow have seq > after, with no gap and no repeat.'));

const auctionIds = z.array(id);

export const socketLimits = shapeOf<SocketLimits>()(z.object({
  maxPayloadBytes: z.number().int().min(1).describe(`Largest frame a client may send; a larger one closes the socket with ${CloseCode.tooBig}.`),
  maxSubscriptions: z.number().int().min(1).describe('Auctions one socket may watch at once.'),
  sendBufferBytes: z.number().int().min(1).describe(`Bytes queued for a socket that does not read before it is closed with ${CloseCode.slowConsumer}.`),
  heartbeatMs: z.number().int().min(1).describe('The daemon pings this often; a socket that missed the previous pong is dropped.'),
  maxReplay: z.number().int().min(0).describe('Most events replayed per auction on resume; further behind, a snapshot comes instead.'),
  maxBidsInFlight: z.number().int().min(1).describe('Bids one socket may have waiting for their replies; past it a bid is answered RATE_LIMITED at once.'),
}));

export const welcomeFrame = shapeOf<WelcomeFrame>()(z
  .object({
    type: z.literal('welcome'),
    daemonId: z.string(),
    version: z.string(),
    userId: id.nullable().describe("The token's user (private events come for them), or null."),
    inbox: z.number().int().min(0).nullable().describe("For a user's socket, the seq its private events start after (the user's newest now); null without a user."),
    limits: socketLimits,
    features: z.array(z.enum(SOCKET_FEATURES)).optional().describe('What the daemon offers besides watching: batch frames, bids on the socket.'),
    batch: z.boolean().optional().describe('True when this socket gets batch frames (it asked with ?batch=1).'),
  })
  .describe('First frame on every socket.'));

export const subscribedFrame = shapeOf<SubscribedFrame>()(z
  .object({ type: z.literal('subscribed'), auctions: auctionIds })
  .describe('Acknowledges a subscribe; a snapshot or the missed events follow per auction.'));

export const unsubscribedFrame = shapeOf<UnsubscribedFrame>()(z
  .object({ type: z.literal('unsubscribed'), auctions: auctionIds })
  .describe('Acknowledges an unsubscribe; nothing more comes for these auctions.'));

export const snapshotFrame = shapeOf<SnapshotFrame>()(z
  .object({ type: z.literal('snapshot'), auction: id, version, state: auction })
  .describe('The whole state of an auction at `version`; events after it follow.'));

export const presenceFrame = shapeOf<PresenceFrame>()(z
  .object({ type: z.literal('presence'), auction: id, watching: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .describe('How many distinct users (or anonymous sockets) watch the auction over all daemons; at most once a second per auction, when it changes, to sockets that subscribed with presence: true. No version, never replayed.'));

export const pongFrame = shapeOf<PongFrame>()(z.object({ type: z.literal('pong') }));

export const errorFrame = shapeOf<ErrorFrame>()(z
  .object({
    type: z.literal('error'),
    code: errorCodeSchema,
    message: z.string(),
    auction: id.optional().describe('The auction concerned (NOT_FOUND on subscribe).'),
    auctions: auctionIds.optional().describe('The auctions refused (TOO_MANY_SUBSCRIPTIONS).'),
    limit: z.number().int().optional(),
    op: z.string().nullable().optional(),
    ref: z.union([z.string(), z.number().int()]).optional().describe('The ref of a bid frame refused as malformed.'),
  })
  .describe('A frame the daemon could not act on; the socket stays open unless a close follows.'));

export const replyFrame = shapeOf<ReplyFrame>()(z
  .object({
    type: z.literal('reply'),
    ref: z.union([z.string(), z.number().int()]).describe("The bid frame's ref."),
    status: z.number().int().describe('The status POST /v1/auctions/{id}/bids would answer: 201, or the error\'s.'),
    body: z.union([bidResult, errorAnswer]).describe('The body it would answer.'),
    replayed: z.literal(true).optional().describe("The stored first answer to the bid's key (HTTP's Idempotent-Replayed)."),
    retryAfter: z.number().int().min(0).optional().describe('Seconds before a retry, where HTTP would send Retry-After.'),
  })
  .describe("Answers a bid frame once its transaction has committed, or with the bid's refusal."));

/** Every frame the daemon sends, by its `type`. */
export const serverFrames = {
  welcome: welcomeFrame,
  subscribed: subscribedFrame,
  unsubscribed: unsubscribedFrame,
  snapshot: snapshotFrame,
  bid: bidEvent,
  extended: extendedEvent,
  sold: soldEvent,
  closed: closedEvent,
  cancelled: cancelledEvent,
  outbid: outbidEvent,
  maxRaised: maxRaisedEvent,
  maxExhausted: maxExhaustedEvent,
  balance: balanceEvent,
  won: wonEvent,
  lost: lostEvent,
  sale: saleEvent,
  unsold: unsoldPrivateEvent,
  inbox: inboxAckFrame,
  presence: presenceFrame,
  pong: pongFrame,
  reply: replyFrame,
  error: errorFrame,
} as const;

/**
 * Several frames for one socket in one message (to a socket that asked with
 * ?batch=1): any of `serverFrames` (the shape check below fails to compile
 * when one is missing here).
 */
export const batchMessage = shapeOf<BatchFrame>()(z
  .object({
    type: z.literal('batch'),
    frames: z.array(
      z.discriminatedUnion('type', [
        welcomeFrame, subscribedFrame, unsubscribedFrame, snapshotFrame, bidEvent, extendedEvent, soldEvent, closedEvent,
        cancelledEvent, outbidEvent, maxRaisedEvent, maxExhaustedEvent, balanceEvent, wonEvent, lostEvent, saleEvent,
        unsoldPrivateEvent, inboxAckFrame, presenceFrame, pongFrame, replyFrame, errorFrame,
      ]),
    ),
  })
  .describe('The frames of one event-loop turn for a socket that asked for batches, in order; never nested.'));

// Each schema above names its type in events.ts or frames.ts (shapeOf); and
// there is one schema for each frame the daemon sends, none for a frame it does not.
export type ServerFramesComplete = Expect<Same<keyof typeof serverFrames, ServerFrame['type']>>;

/** The answer of GET /v1/me/events: the same private events as the socket's, with their seq. */
export const inboxPage = z
  .object({
    events: z.array(z.union([outbidEvent, balanceEvent, wonEvent, lostEvent, saleEvent, unsoldPrivateEvent])).describe('Events after the position asked for, oldest first.'),
    next: z.number().int().min(0).describe("Where to continue: the last event's seq (or, with no event, the position the answer stands at)."),
    last: z.number().int().min(0).describe("The user's newest seq now; next < last means there is more to read."),
    truncated: z.boolean().describe('Events between after and the first one returned are no longer kept, or after is past last: the answer starts at the oldest kept.'),
  })
  .describe('Your private events after a position.');
