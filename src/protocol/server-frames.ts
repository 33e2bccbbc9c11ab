// Schemas of what the daemon sends on the WebSocket: the events of events.ts and
// the other frames of frames.ts, for the AsyncAPI document. Code uses the types
// there; the checks at the end keep these schemas and those types one shape.
import { z } from 'zod';
import { CloseCode } from './errors.js';
import type { Expect, Same } from './shape-check.js';
import { auction, errorCodeSchema, id, time, version } from './answers.js';
import type { BalanceEvent, BidEvent, CancelledEvent, ClosedEvent, ExtendedEvent, LostEvent, OutbidEvent, SaleEvent, SoldEvent, UnsoldEvent, WonEvent } from './events.js';
import type { ErrorFrame, InboxAckFrame, PongFrame, PresenceFrame, ServerFrame, SnapshotFrame, SocketLimits, SubscribedFrame, UnsubscribedFrame, WelcomeFrame } from './frames.js';
import { nonNegativeMoney, positiveMoney } from './schemas.js';

/** The event's place in its user's inbox (GET /v1/me/events, the inbox op). */
const seq = z.number().int().min(1).describe("Gapless per user, in commit order: the event's place in the user's inbox.");

const base = {
  auction: id,
  version: version.describe('Gapless per auction, in commit order.'),
  at: time.describe('When the transaction wrote the event (just before its commit).'),
};

export const bidEvent = z.object({
  type: z.literal('bid'),
  ...base,
  bidId: id,
  bidderId: id,
  amount: positiveMoney,
  price: positiveMoney,
  leaderId: id,
  previousLeaderId: id.nullable(),
  bidCount: z.number().int().min(1),
  endsAt: time,
  minNextBid: positiveMoney,
});

export const extendedEvent = z
  .object({ type: z.literal('extended'), ...base, endsAt: time, bidId: id })
  .describe('A bid inside the soft-close window moved the end.');

export const soldEvent = z.object({
  type: z.literal('sold'),
  ...base,
  status: z.literal('sold'),
  buyerId: id,
  price: positiveMoney,
  leaderId: id,
  previousLeaderId: id.nullable(),
  endsAt: time,
});

export const closedEvent = z.object({
  type: z.literal('closed'),
  ...base,
  status: z.enum(['closed', 'unsold']),
  winnerId: id.nullable(),
  price: positiveMoney.nullable(),
  endsAt: time,
});

export const cancelledEvent = z.object({
  type: z.literal('cancelled'),
  ...base,
  status: z.literal('cancelled'),
  previousLeaderId: id.nullable(),
  endsAt: time,
});

export const outbidEvent = z
  .object({
    type: z.literal('outbid'),
    ...base,
    price: positiveMoney.describe('The new leading price.'),
    leaderId: id,
    released: nonNegativeMoney.describe('Your hold on this auction, now released.'),
    seq,
  })
  .describe('Private to one user: someone else took the lead from you.');

export const balanceEvent = z
  .object({
    type: z.literal('balance'),
    userId: id,
    balance: nonNegativeMoney,
    held: nonNegativeMoney,
    available: nonNegativeMoney,
    at: time,
    seq,
  })
  .describe('Private to one user: their balance or holds changed.');

export const wonEvent = z
  .object({ type: z.literal('won'), ...base, price: positiveMoney.describe('What you pay: your winning bid, or the buy-now price.'), seq })
  .describe('Private to one user: you won an auction (it closed with you leading, or you bought it now).');

export const lostEvent = z
  .object({ type: z.literal('lost'), ...base, price: positiveMoney, winnerId: id, seq })
  .describe('Private to one user: an auction you bid on ended with someone else winning it.');

export const saleEvent = z
  .object({ type: z.literal('sale'), ...base, price: positiveMoney, buyerId: id, seq })
  .describe('Private to the seller: your auction sold (at its close, or bought now).');

export const unsoldPrivateEvent = z
  .object({ type: z.literal('unsold'), ...base, seq })
  .describe('Private to the seller: your auction ended without a bid.');

export const inboxAckFrame = z
  .object({
    type: z.literal('inbox'),
    after: z.number().int().min(0).describe('Where the events restart: the private events that follow have seq > after.'),
    truncated: z.boolean().describe('Events after the position asked for are no longer kept (or the position is from another database).'),
  })
  .describe('Answers an inbox op: the private events that follow have seq > after, with no gap and no repeat.');

const auctionIds = z.array(id);

export const socketLimits = z.object({
  maxPayloadBytes: z.number().int().min(1).describe(`Largest frame a client may send; a larger one closes the socket with ${CloseCode.tooBig}.`),
  maxSubscriptions: z.number().int().min(1).describe('Auctions one socket may watch at once.'),
  sendBufferBytes: z.number().int().min(1).describe(`Bytes queued for a socket that does not read before it is closed with ${CloseCode.slowConsumer}.`),
  heartbeatMs: z.number().int().min(1).describe('The daemon pings this often; a socket that missed the previous pong is dropped.'),
  maxReplay: z.number().int().min(0).describe('Most events replayed per auction on resume; further behind, a snapshot comes instead.'),
});

export const welcomeFrame = z
  .object({
    type: z.literal('welcome'),
    daemonId: z.string(),
    version: z.string(),
    userId: id.nullable().describe("The token's user (private events come for them), or null."),
    inbox: z.number().int().min(0).nullable().describe("For a user's socket, the seq its private events start after (the user's newest now); null without a user."),
    limits: socketLimits,
  })
  .describe('First frame on every socket.');

export const subscribedFrame = z
  .object({ type: z.literal('subscribed'), auctions: auctionIds })
  .describe('Acknowledges a subscribe; a snapshot or the missed events follow per auction.');

export const unsubscribedFrame = z
  .object({ type: z.literal('unsubscribed'), auctions: auctionIds })
  .describe('Acknowledges an unsubscribe; nothing more comes for these auctions.');

export const snapshotFrame = z
  .object({ type: z.literal('snapshot'), auction: id, version, state: auction })
  .describe('The whole state of an auction at `version`; events after it follow.');

export const presenceFrame = z
  .object({ type: z.literal('presence'), auction: id, watching: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .describe('How many distinct users (or anonymous sockets) watch the auction over all daemons; at most once a second per auction, when it changes, to sockets that subscribed with presence: true. No version, never replayed.');

export const pongFrame = z.object({ type: z.literal('pong') });

export const errorFrame = z
  .object({
    type: z.literal('error'),
    code: errorCodeSchema,
    message: z.string(),
    auction: id.optional().describe('The auction concerned (NOT_FOUND on subscribe).'),
    auctions: auctionIds.optional().describe('The auctions refused (TOO_MANY_SUBSCRIPTIONS).'),
    limit: z.number().int().optional(),
    op: z.string().nullable().optional(),
  })
  .describe('A frame the daemon could not act on; the socket stays open unless a close follows.');

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
  balance: balanceEvent,
  won: wonEvent,
  lost: lostEvent,
  sale: saleEvent,
  unsold: unsoldPrivateEvent,
  inbox: inboxAckFrame,
  presence: presenceFrame,
  pong: pongFrame,
  error: errorFrame,
} as const;

// ---- the schemas above and the types in events.ts and frames.ts stay one shape ----

export type FrameShapesMatch = [
  Expect<Same<z.infer<typeof bidEvent>, BidEvent>>,
  Expect<Same<z.infer<typeof extendedEvent>, ExtendedEvent>>,
  Expect<Same<z.infer<typeof soldEvent>, SoldEvent>>,
  Expect<Same<z.infer<typeof closedEvent>, ClosedEvent>>,
  Expect<Same<z.infer<typeof cancelledEvent>, CancelledEvent>>,
  Expect<Same<z.infer<typeof outbidEvent>, OutbidEvent & { seq: number }>>,
  Expect<Same<z.infer<typeof balanceEvent>, BalanceEvent & { seq: number }>>,
  Expect<Same<z.infer<typeof wonEvent>, WonEvent & { seq: number }>>,
  Expect<Same<z.infer<typeof lostEvent>, LostEvent & { seq: number }>>,
  Expect<Same<z.infer<typeof saleEvent>, SaleEvent & { seq: number }>>,
  Expect<Same<z.infer<typeof unsoldPrivateEvent>, UnsoldEvent & { seq: number }>>,
  Expect<Same<z.infer<typeof inboxAckFrame>, InboxAckFrame>>,
  Expect<Same<z.infer<typeof socketLimits>, SocketLimits>>,
  Expect<Same<z.infer<typeof welcomeFrame>, WelcomeFrame>>,
  Expect<Same<z.infer<typeof subscribedFrame>, SubscribedFrame>>,
  Expect<Same<z.infer<typeof unsubscribedFrame>, UnsubscribedFrame>>,
  Expect<Same<z.infer<typeof snapshotFrame>, SnapshotFrame>>,
  Expect<Same<z.infer<typeof presenceFrame>, PresenceFrame>>,
  Expect<Same<z.infer<typeof pongFrame>, PongFrame>>,
  Expect<Same<z.infer<typeof errorFrame>, ErrorFrame>>,
  // One schema for each frame the daemon sends, none for a frame it does not.
  Expect<Same<keyof typeof serverFrames, ServerFrame['type']>>,
];

/** The answer of GET /v1/me/events: the same private events as the socket's, with their seq. */
export const inboxPage = z
  .object({
    events: z.array(z.union([outbidEvent, balanceEvent, wonEvent, lostEvent, saleEvent, unsoldPrivateEvent])).describe('Events after the position asked for, oldest first.'),
    next: z.number().int().min(0).describe("Where to continue: the last event's seq (or, with no event, the position the answer stands at)."),
    last: z.number().int().min(0).describe("The user's newest seq now; next < last means there is more to read."),
    truncated: z.boolean().describe('Events between after and the first one returned are no longer kept, or after is past last: the answer starts at the oldest kept.'),
  })
  .describe('Your private events after a position.');
