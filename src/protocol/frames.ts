// Frames on the one WebSocket at /v1/ws: one JSON object per text frame. What a
// client may send is validated here with zod; what the daemon sends is typed
// here. No I/O: the hub and the socket client both use this file.
import { z } from 'zod';
import { nbError, type ErrorBody, type ErrorCode, type NbError } from './errors.js';
import { publicEventTypes, type AuctionEvent } from './events.js';
import { inboxSeq, type InboxEvent } from './inbox.js';
import { describeIssues, idempotencyKey, positiveMoney } from './schemas.js';
import type { Auction, BidResult } from './types.js';

export const WS_PATH = '/v1/ws';

/**
 * The upgrade URL's query parameter by which a client asks for batch frames
 * (`/v1/ws?batch=1`); without it, one message per frame, as before batches.
 */
export const BATCH_PARAM = 'batch';

/** What this daemon's socket offers beyond watching, as its `welcome` lists it. */
export const SOCKET_FEATURES = ['batch', 'bid'] as const;
export type SocketFeature = (typeof SOCKET_FEATURES)[number];

/** The limits of one socket, as the daemon announces them in `welcome`. */
export interface SocketLimits {
  /** Largest frame a client may send, in bytes; a larger one closes the socket (PAYLOAD_TOO_LARGE, CloseCode.tooBig). */
  maxPayloadBytes: number;
  /** Auctions one socket may watch at once. */
  maxSubscriptions: number;
  /** Bytes the daemon queues for a socket that does not read before closing it (SLOW_CONSUMER, CloseCode.slowConsumer). */
  sendBufferBytes: number;
  /** The daemon pings this often; a socket that missed the previous pong is dropped. */
  heartbeatMs: number;
  /** Most events replayed for one auction on resume; further behind, a snapshot is sent instead. */
  maxReplay: number;
  /** Bids one socket may have waiting for their replies; past it a bid is answered RATE_LIMITED at once. */
  maxBidsInFlight: number;
}

export const defaultSocketLimits: SocketLimits = {
  maxPayloadBytes: 64 * 1024,
  maxSubscriptions: 1000,
  sendBufferBytes: 1024 * 1024,
  heartbeatMs: 30_000,
  maxReplay: 1000,
  maxBidsInFlight: 64,
};

// ---- client → daemon ----

const auctionId = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

const version = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

export const subscribeFrame = z
  .strictObject({
    op: z.literal('subscribe'),
    auctions: z.array(auctionId, { error: 'must be an array of auction ids' }).min(1, { error: 'must not be empty' }),
    /** Per auction id (as a string key), the last version the client has seen. */
    after: z.record(z.string(), version, { error: 'must be an object of versions by auction id' }).optional(),
    /** True: this socket also gets `presence` frames (how many are watching) for its auctions. */
    presence: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .refine((f) => !f.after || Object.keys(f.after).every((k) => /^[1-9]\d{0,15}$/.test(k) && f.auctions.includes(Number(k))), {
    error: 'every key of after must be one of auctions',
    path: ['after'],
  });
export type SubscribeFrame = z.infer<typeof subscribeFrame>;

export const unsubscribeFrame = z.strictObject({
  op: z.literal('unsubscribe'),
  auctions: z.array(auctionId, { error: 'must be an array of auction ids' }).min(1, { error: 'must not be empty' }),
});
export type UnsubscribeFrame = z.infer<typeof unsubscribeFrame>;

export const pingFrame = z.strictObject({ op: z.literal('ping') });
export type PingFrame = z.infer<typeof pingFrame>;

/**
 * (Re)starts the socket's private events at `after`: the daemon answers with an
 * `inbox` frame, then sends every private event with a greater seq, oldest
 * first, each once, then the new ones as they commit. Without `after`: from now.
 */
export const inboxFrame = z.strictObject({ op: z.literal('inbox'), after: inboxSeq.optional() });
export type InboxOpFrame = z.infer<typeof inboxFrame>;

/** A client's name for one request on the socket, echoed in its reply: a short string or a whole number. */
export type Ref = string | number;

/** True for a value usable as a `ref`: 1–64 characters, or a safe integer ≥ 0. */
export function isRef(value: unknown): value is Ref {
  return typeof value === 'string'
    ? value.length >= 1 && value.length <= 64
    : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const REF_RULE = { error: 'must be a string of 1 to 64 characters or a whole number' };
const ref = z.union(
  [z.string().min(1, REF_RULE).max(64, REF_RULE), z.number().int(REF_RULE).min(0, REF_RULE).max(Number.MAX_SAFE_INTEGER, REF_RULE)],
  REF_RULE,
);

/**
 * A bid over the socket: the body of `POST /v1/auctions/:id/bids` (`amount`,
 * or `max` where the daemon takes automatic bids) plus the auction, the
 * client's `ref` and an optional idempotency `key`. The body's fields are
 * checked here for their type only; what the bid route accepts is decided by
 * the same code as over HTTP, so both answer alike.
 */
export const bidFrame = z.strictObject({
  op: z.literal('bid'),
  ref,
  auction: auctionId,
  amount: positiveMoney.optional(),
  max: positiveMoney.optional(),
  key: idempotencyKey.optional(),
});
export type BidFrame = z.infer<typeof bidFrame>;

/** The body of the HTTP bid request a bid frame stands for: exactly the money fields it carries. */
export function bidBodyOf(frame: BidFrame): { amount?: number; max?: number } {
  const body: { amount?: number; max?: number } = {};
  if (frame.amount !== undefined) body.amount = frame.amount;
  if (frame.max !== undefined) body.max = frame.max;
  return body;
}

export type ClientFrame = SubscribeFrame | UnsubscribeFrame | PingFrame | InboxOpFrame | BidFrame;

const clientSchemas = { subscribe: subscribeFrame, unsubscribe: unsubscribeFrame, ping: pingFrame, inbox: inboxFrame, bid: bidFrame } as const;

/** Parses one text frame from a client; throws an INVALID_INPUT error value naming what is wrong. */
export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw nbError('INVALID_INPUT', { reason: 'frameJson' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw nbError('INVALID_INPUT', { reason: 'frameShape' });
  }
  const op = (value as { op?: unknown }).op;
  if (typeof op !== 'string' || !Object.hasOwn(clientSchemas, op)) {
    throw nbError('INVALID_INPUT', { reason: 'unknownOp', op: typeof op === 'string' ? op.slice(0, 40) : null });
  }
  const r = clientSchemas[op as keyof typeof clientSchemas].safeParse(value);
  if (!r.success) {
    // A bad bid whose ref can be read is answered with that ref, so the client can settle it.
    const given = (value as { ref?: unknown }).ref;
    const details = { reason: 'schema', what: `${op} frame`, issues: describeIssues(r.error), op } as const;
    throw nbError('INVALID_INPUT', op === 'bid' && isRef(given) ? { ...details, ref: given } : details);
  }
  return r.data;
}

// ---- daemon → client ----

/** First frame on every socket. */
export interface WelcomeFrame {
  type: 'welcome';
  daemonId: string;
  version: string;
  /** The token's user (private events come for them), or null. */
  userId: number | null;
  /** For a user's socket, the seq its private events start after (the user's newest now); null without a user. */
  inbox: number | null;
  limits: SocketLimits;
  /** What the daemon offers besides watching (absent from daemons older than batches and socket bids). */
  features?: SocketFeature[];
  /** True when this socket gets batch frames (it asked with `?batch=1`). */
  batch?: boolean;
}

/** Acknowledges a subscribe; a snapshot or the missed events follow per auction. */
export interface SubscribedFrame {
  type: 'subscribed';
  auctions: number[];
}

/** Acknowledges an unsubscribe; nothing more comes for these auctions. */
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  auctions: number[];
}

/** The whole state of an auction at `version`; events after it follow. */
export interface SnapshotFrame {
  type: 'snapshot';
  auction: number;
  version: number;
  state: Auction;
}

/**
 * Answers an `inbox` op: the private events that follow have seq > `after`,
 * with no gap and no repeat. Private events that came before this frame
 * belong to the socket's earlier start and may come again after it.
 */
export interface InboxAckFrame {
  type: 'inbox';
  /** Where the events restart: what was asked, the newest seq (when nothing was asked), or the oldest kept − 1 when truncated. */
  after: number;
  /** True when events after the position asked for are no longer kept (or the position is from another database). */
  truncated: boolean;
}

/**
 * How many distinct users (or anonymous sockets) watch an auction, over all
 * daemons: sent at most once a second per auction when it changes, to sockets
 * that subscribed with `presence: true`. Not an event: it has no version, is
 * not replayed, and names nobody.
 */
export interface PresenceFrame {
  type: 'presence';
  auction: number;
  watching: number;
}

export interface PongFrame {
  type: 'pong';
}

/**
 * The answer to a bid frame, sent once its transaction has committed (or the
 * bid was refused): what `POST /v1/auctions/:id/bids` would answer.
 */
export interface ReplyFrame {
  type: 'reply';
  ref: Ref;
  /** The HTTP status of the same request over HTTP: 201 accepted, else the error's status. */
  status: number;
  /** The HTTP answer's body: `{bid, auction}`, or `{error: {code, message, …}}`. */
  body: BidResult | { error: ErrorBody };
  /** True when this is the stored first answer to the bid's idempotency key (HTTP's `Idempotent-Replayed`). */
  replayed?: true;
  /** Seconds to wait before retrying, where HTTP would send `Retry-After` (RATE_LIMITED, UNAVAILABLE, SHUTTING_DOWN). */
  retryAfter?: number;
}

/**
 * Several frames for one socket that were ready in the same event-loop turn,
 * in order; only to a socket that asked for batches. Each element is a frame
 * as it would have been sent alone (never another batch).
 */
export interface BatchFrame {
  type: 'batch';
  frames: ServerFrame[];
}

/**
 * How the daemon writes every batch message: this text, its frames' JSON
 * comma-separated, then `]}` — so a reader may find the frames without
 * parsing the whole (the daemon's ws-frame.ts writes it, the bench's watchers
 * read it).
 */
export const BATCH_OPENING = '{"type":"batch","frames":[';

/** A frame the daemon could not act on; the socket stays open unless a close follows. */
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The auction concerned (NOT_FOUND on subscribe). */
  auction?: number;
  /** The auctions refused (TOO_MANY_SUBSCRIPTIONS). */
  auctions?: number[];
  limit?: number;
  op?: string | null;
  /** The `ref` of a bid frame refused as malformed. */
  ref?: Ref;
}

export type ServerFrame =
  | WelcomeFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | SnapshotFrame
  | AuctionEvent
  | InboxEvent
  | InboxAckFrame
  | PresenceFrame
  | PongFrame
  | ReplyFrame
  | ErrorFrame;

/** One WebSocket message from the daemon: a frame, or (to a socket that asked for them) a batch of frames. */
export type ServerMessage = ServerFrame | BatchFrame;

/** The frames one message carries, in order. */
export function framesOfMessage(message: ServerMessage): ServerFrame[] {
  return message.type === 'batch' ? message.frames : [message];
}

/** The error frame for an error value, with its details. */
export function errorFrame(err: NbError): ErrorFrame {
  return { ...err.details, type: 'error', code: err.code, message: err.message };
}

/** True for frames about one auction's public history (snapshot and public events). */
export function isAuctionFrame(frame: ServerFrame): frame is SnapshotFrame | AuctionEvent {
  return frame.type === 'snapshot' || (publicEventTypes as readonly string[]).includes(frame.type);
}
