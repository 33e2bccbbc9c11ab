// Schemas of what the daemon sends on the WebSocket: the events of events.ts and
// the other frames of frames.ts, for the AsyncAPI document. Code uses the types
// there; the checks at the end keep these schemas and those types one shape.
import { z } from 'zod';
import type { Expect, Same } from './shape-check.js';
import { auction, errorCodeSchema, id, time, version } from './answers.js';
import type { BalanceEvent, BidEvent, CancelledEvent, ClosedEvent, ExtendedEvent, OutbidEvent, SoldEvent } from './events.js';
import type { ErrorFrame, PongFrame, PresenceFrame, ServerFrame, SnapshotFrame, SocketLimits, SubscribedFrame, UnsubscribedFrame, WelcomeFrame } from './frames.js';
import { nonNegativeMoney, positiveMoney } from './schemas.js';

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
  })
  .describe('Private to one user: their balance or holds changed.');

const auctionIds = z.array(id);

export const socketLimits = z.object({
  maxPayloadBytes: z.number().int().min(1).describe('Largest frame a client may send; a larger one closes the socket with 1009.'),
  maxSubscriptions: z.number().int().min(1).describe('Auctions one socket may watch at once.'),
  sendBufferBytes: z.number().int().min(1).describe('Bytes queued for a socket that does not read before it is closed with 4008.'),
  heartbeatMs: z.number().int().min(1).describe('The daemon pings this often; a socket that missed the previous pong is dropped.'),
  maxReplay: z.number().int().min(0).describe('Most events replayed per auction on resume; further behind, a snapshot comes instead.'),
});

export const welcomeFrame = z
  .object({
    type: z.literal('welcome'),
    daemonId: z.string(),
    version: z.string(),
    userId: id.nullable().describe("The token's user (private events come for them), or null."),
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
  Expect<Same<z.infer<typeof outbidEvent>, OutbidEvent>>,
  Expect<Same<z.infer<typeof balanceEvent>, BalanceEvent>>,
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
