// One WebSocket per client object, carrying any number of auctions. It
// reconnects by itself with backoff and resumes every auction from the last
// version it delivered, so a consumer sees each event once and in order across
// reconnects and daemon restarts (or, after a very long gap, a fresh snapshot).
// With a user token it resumes the user's private events (the inbox) the same
// way, from the last seq it delivered.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { CloseCode, errorOfClose, fromErrorBody, NbError, nbError, type ErrorCode } from '../protocol/errors.js';
import { isPrivateEvent, type AuctionEvent, type PrivateEvent } from '../protocol/events.js';
import type { InboxEvent } from '../protocol/inbox.js';
import {
  BATCH_PARAM,
  WS_PATH,
  isAuctionFrame,
  type ClientFrame,
  type PresenceFrame,
  type ReplyFrame,
  type ServerFrame,
  type ServerMessage,
  type SnapshotFrame,
  type SocketLimits,
} from '../protocol/frames.js';

/** Where the connection stands; the TUI shows it. */
export type SocketState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'live'; daemonId: string; userId: number | null }
  | { kind: 'reconnecting'; attempt: number; delayMs: number; reason: string; error: NbError }
  | { kind: 'closed'; reason: string; error?: NbError };

/**
 * A subscription was refused (no such auction, too many subscriptions); nothing
 * more comes for it. The error frame as the daemon sent it, with its details (e.g. `limit`).
 */
export interface AuctionError {
  type: 'error';
  auction: number;
  code: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

/**
 * What a subscription handler receives: the state, then each event once, in
 * version order; with the `presence` option, also how many watch (no version).
 */
export type AuctionMessage = SnapshotFrame | AuctionEvent | AuctionError | PresenceFrame;

export type AuctionHandler = (message: AuctionMessage) => void;

export interface SocketClientOptions {
  /** Daemon base URL(s), e.g. http://127.0.0.1:7700; with several, each reconnect tries the next. */
  url: string | string[];
  /** A user token brings that user's private events; none is needed to watch. */
  token?: string | undefined;
  /** Called on every state change. */
  onState?: (state: SocketState) => void;
  /** Called with each private event (outbid, balance, won, lost, sale, unsold) of the token's user, once each, in seq order. */
  onPrivate?: (event: InboxEvent) => void;
  /**
   * The last private event seq already seen (e.g. saved from an earlier run): the first
   * connection resumes after it. Without it, private events start when the socket opens.
   */
  inboxAfter?: number;
  /** Called when the daemon no longer keeps some private events after the position asked for. */
  onInboxTruncated?: (info: { asked: number; after: number }) => void;
  /** Called with error frames that concern no one auction (e.g. a frame the daemon refused). */
  onError?: (error: NbError) => void;
  /** Reconnect delays: first delay, cap, attempts before giving up (default: never give up). */
  backoff?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
  /** This client pings the daemon this often and reconnects when a ping goes unanswered. */
  pingIntervalMs?: number;
  /** How long an opening handshake may take. */
  connectTimeoutMs?: number;
  /** Also hand each auction's handler `presence` messages: how many watch it, when that changes. */
  presence?: boolean;
  /** Ask for batch frames (several events in one frame); default true. The events delivered are the same. */
  batch?: boolean;
  /** How long a bid waits for its reply before failing with UNREACHABLE (default 30 s). */
  bidTimeoutMs?: number;
}

/** The money of a bid: a plain amount, or a maximum for automatic bidding (where the daemon takes them). */
export type BidMoney = { amount: number; max?: never } | { max: number; amount?: never };

export interface SocketBidOptions {
  /** An idempotency key: a retry with the same key and money, over the socket or HTTP, gets the first answer. */
  key?: string | undefined;
  /** Overrides the client's bidTimeoutMs for this bid. */
  timeoutMs?: number;
}

/** The daemon's answer to a bid: what `POST /v1/auctions/:id/bids` would have answered. */
export interface BidReply {
  status: number;
  /** `{bid, auction}` for 201, else `{error: {code, message, …}}`. */
  body: unknown;
  /** The stored first answer to the bid's key. */
  replayed: boolean;
  /** Seconds to wait before retrying (a refusal that says when). */
  retryAfter?: number;
}

/** Counters, for diagnostics and tests: a healthy run drops no duplicates and resyncs no gaps. */
export interface SocketStats {
  /** Sockets that reached `live`. */
  connections: number;
  /** Reconnects scheduled after a lost or refused connection. */
  reconnects: number;
  /** Frames dropped because their version was already delivered. */
  duplicatesDropped: number;
  /** Gaps seen in an auction's versions or the inbox's seqs (each answered by resuming from the last one delivered). */
  gapsResynced: number;
  /** Batch frames received (each carrying several frames). */
  batches: number;
}

interface Sub {
  handler: AuctionHandler;
  /** Last version delivered to the handler. */
  version: number | undefined;
  resyncing: boolean;
}

/** Most auctions in one subscribe frame, well inside the daemon's frame size limit. */
const IDS_PER_FRAME = 500;

interface PendingBid {
  resolve: (reply: BidReply) => void;
  reject: (err: NbError) => void;
  timer: NodeJS.Timeout;
}

export class SocketClient {
  /** Counters since construction. */
  readonly stats: SocketStats = { connections: 0, reconnects: 0, duplicatesDropped: 0, gapsResynced: 0, batches: 0 };
  /** The daemon's limits, once a connection has been welcomed. */
  limits: SocketLimits | undefined;
  /** What the connected daemon offers beyond watching (its welcome's `features`): `bid`, `batch`. */
  features: readonly string[] = [];

  private readonly urls: string[];
  private readonly subs = new Map<number, Sub>();
  private readonly acked = new Set<number>();
  private readonly waiting: { ids: Set<number>; resolve: () => void }[] = [];
  private readonly stateHandlers = new Set<(s: SocketState) => void>();
  private readonly privateHandlers = new Set<(e: InboxEvent) => void>();
  /** Last private event seq delivered (or where the daemon said the inbox stands). */
  private inbox: number | undefined;
  /** An inbox op is out and unanswered: private events until its answer belong to an earlier start. */
  private inboxPending = false;
  private ws: WebSocket | null = null;
  private current: SocketState = { kind: 'connecting', attempt: 1 };
  private attempt = 0;
  private urlIndex = 0;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly bids = new Map<number, PendingBid>();
  private nextRef = 0;

  constructor(private readonly options: SocketClientOptions) {
    this.urls = (Array.isArray(options.url) ? options.url : [options.url]).map(socketUrl);
    if (this.urls.length === 0) throw nbError('INVALID_INPUT', { reason: 'noUrl' });
    if (options.onState) this.stateHandlers.add(options.onState);
    if (options.onPrivate) this.privateHandlers.add(options.onPrivate);
    this.inbox = options.inboxAfter;
    this.connect();
  }

  /** The connection's current state. */
  get state(): SocketState {
    return this.current;
  }

  /** The last version delivered for an auction, if any. */
  version(auction: number): number | undefined {
    return this.subs.get(auction)?.version;
  }

  /** The last private event seq delivered (or the inbox's position once the daemon answered); where a later run may resume. */
  get inboxSeq(): number | undefined {
    return this.inbox;
  }

  /** Auctions currently subscribed. */
  subscriptions(): number[] {
    return [...this.subs.keys()];
  }

  /**
   * Watches auctions: `handler` gets a snapshot of each, then every event once, in version
   * order, across reconnects. Subscribing an auction again only replaces its handler.
   * Resolves once the daemon has acknowledged them (or the client is closed).
   */
  subscribe(auctions: number[], handler: AuctionHandler): Promise<void> {
    const ids = checkIds(auctions);
    const added: number[] = [];
    for (const id of ids) {
      const sub = this.subs.get(id);
      if (sub) sub.handler = handler;
      else {
        this.subs.set(id, { handler, version: undefined, resyncing: false });
        added.push(id);
      }
    }
    const done = new Promise<void>((resolve) => this.waiting.push({ ids: new Set(ids), resolve }));
    if (this.current.kind === 'live' && added.length > 0) this.sendSubscribe(added);
    this.settleWaiting();
    return done;
  }

  /** Stops watching auctions; nothing more is delivered for them. */
  unsubscribe(auctions: number[]): void {
    const ids = checkIds(auctions).filter((id) => this.subs.delete(id));
    for (const id of ids) this.acked.delete(id);
    if (this.current.kind === 'live') {
      for (let i = 0; i < ids.length; i += IDS_PER_FRAME) this.send({ op: 'unsubscribe', auctions: ids.slice(i, i + IDS_PER_FRAME) });
    }
    this.settleWaiting();
  }

  /** True when a bid can go over this socket now: live, with a user token, on a daemon that takes socket bids. */
  get canBid(): boolean {
    return this.current.kind === 'live' && this.current.userId !== null && this.features.includes('bid');
  }

  /**
   * Bids over the socket. Resolves with the daemon's reply — whatever status:
   * a refusal by a rule is a reply too — sent once the bid has committed.
   * Rejects with UNREACHABLE (retryable) when the socket cannot bid now, is
   * lost before the reply, or the reply does not come in time: the bid may or
   * may not have been made, so retry it (over the socket or HTTP) with the
   * same key to find out without bidding twice.
   */
  bid(auction: number, money: BidMoney, options: SocketBidOptions = {}): Promise<BidReply> {
    let id: number;
    try {
      [id] = checkIds([auction]) as [number];
    } catch (err) {
      return Promise.reject(err as NbError);
    }
    const ws = this.ws;
    if (!this.canBid || ws?.readyState !== WebSocket.OPEN) {
      return Promise.reject(nbError('UNREACHABLE', { socketBid: 'notLive' }));
    }
    const ref = ++this.nextRef;
    const frame: ClientFrame = { op: 'bid', ref, auction: id, ...money, ...(options.key !== undefined ? { key: options.key } : {}) };
    const timeoutMs = options.timeoutMs ?? this.options.bidTimeoutMs ?? 30_000;
    return new Promise<BidReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.bids.delete(ref);
        reject(nbError('UNREACHABLE', { socketBid: 'timeout', timeoutMs }));
      }, timeoutMs);
      this.bids.set(ref, { resolve, reject, timer });
      ws.send(JSON.stringify(frame));
    });
  }

  /** Adds a private-event handler; returns a function that removes it. */
  onPrivate(handler: (event: InboxEvent) => void): () => void {
    this.privateHandlers.add(handler);
    return () => this.privateHandlers.delete(handler);
  }

  /** Adds a state handler (called at once with the current state); returns a function that removes it. */
  onState(handler: (state: SocketState) => void): () => void {
    this.stateHandlers.add(handler);
    handler(this.current);
    return () => this.stateHandlers.delete(handler);
  }

  /** Closes the socket for good; no reconnect follows. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const gone = new Promise<void>((r) => ws.once('close', () => r()));
      ws.close(CloseCode.normal, 'bye');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      ws.terminate();
    }
    this.failBids('closed');
    this.setState({ kind: 'closed', reason: 'closed by the client' });
    this.settleWaiting();
  }

  private connect(): void {
    if (this.closed) return;
    this.attempt++;
    this.setState({ kind: 'connecting', attempt: this.attempt });
    const base = this.urls[this.urlIndex % this.urls.length]!;
    const url = this.options.batch === false ? base : withBatch(base);
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const ws = new WebSocket(url, {
      headers,
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    this.ws = ws;
    let lastError: Error | undefined;
    // A refused upgrade's answer: the daemon's error, read from its JSON body.
    let refusal: NbError | undefined;
    let alive = true;
    let pinger: NodeJS.Timeout | undefined;
    ws.on('open', () => {
      pinger = setInterval(() => {
        // No pong since the last ping: the link is dead even if TCP has not noticed.
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, this.options.pingIntervalMs ?? 15_000);
      pinger.unref();
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data, isBinary) => {
      alive = true;
      if (!isBinary) this.receive((data as Buffer).toString('utf8'));
    });
    ws.on('error', (err) => (lastError = err));
    ws.on('unexpected-response', (_req, res) => {
      void readRefusal(res).then((err) => {
        refusal = err;
        ws.terminate();
      });
    });
    ws.on('close', (code, reason) => {
      clearInterval(pinger);
      this.lost(ws, url, code, reason.toString('utf8'), refusal ?? lastError);
    });
  }

  private lost(ws: WebSocket, url: string, code: number, reason: string, err: NbError | Error | undefined): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.acked.clear();
    this.failBids('lost');
    if (this.closed) return;
    const error = lossError(url, code, err);
    // A refusal that retrying cannot cure (a wrong token, a wrong path) closes the client for good.
    if (err instanceof NbError && !err.retryable) return this.giveUp(err);
    const max = this.options.backoff?.maxAttempts ?? Infinity;
    if (this.attempt >= max) {
      return this.giveUp(error.code === 'UNREACHABLE' ? nbError('UNREACHABLE', { attempts: this.attempt }) : error);
    }
    const wasLive = this.attempt === 0;
    const initial = this.options.backoff?.initialMs ?? 250;
    const cap = this.options.backoff?.maxMs ?? 5000;
    // A daemon going away or a first loss: come back quickly; repeated failures back off, or wait as long as the daemon asked.
    const base = wasLive ? initial : Math.min(cap, initial * 2 ** this.attempt);
    const delayMs = Math.max(Math.round(base * (0.5 + Math.random() * 0.5)), Math.min(error.retryAfterMs ?? 0, cap));
    if (this.urls.length > 1) this.urlIndex++;
    this.stats.reconnects++;
    const why = err instanceof NbError ? `${err.code}: ${err.message}` : error.code === 'UNREACHABLE' ? String(error.details.problem) : error.code;
    this.setState({
      kind: 'reconnecting',
      attempt: this.attempt + 1,
      delayMs,
      reason: reason && reason !== why ? `${why} (${reason})` : why,
      error,
    });
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private giveUp(error: NbError): void {
    this.closed = true;
    this.setState({ kind: 'closed', reason: error.message, error });
    this.settleWaiting();
  }

  private receive(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (message.type !== 'batch') return this.handle(message);
    this.stats.batches++;
    if (Array.isArray(message.frames)) {
      for (const frame of message.frames) if (typeof frame === 'object' && frame !== null) this.handle(frame);
    }
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.attempt = 0;
        this.limits = frame.limits;
        this.features = frame.features ?? [];
        this.stats.connections++;
        this.setState({ kind: 'live', daemonId: frame.daemonId, userId: frame.userId });
        // Resume everything: from the last version delivered, or from a snapshot; private events from the last seq.
        if (frame.userId !== null) {
          // The welcome says where this socket's private events start; resume from ours if that is elsewhere.
          if (this.inbox === undefined && typeof frame.inbox === 'number') this.inbox = frame.inbox;
          else if (this.inbox !== frame.inbox) this.sendInbox();
        }
        this.sendSubscribe([...this.subs.keys()]);
        return;
      case 'inbox':
        if (!this.inboxPending) return;
        this.inboxPending = false;
        if (frame.truncated) this.options.onInboxTruncated?.({ asked: this.inbox ?? 0, after: frame.after });
        this.inbox = frame.after;
        return;
      case 'subscribed':
        for (const id of frame.auctions) this.acked.add(id);
        this.settleWaiting();
        return;
      case 'unsubscribed':
      case 'pong':
        return;
      case 'reply':
        this.settleBid(frame);
        return;
      case 'error': {
        if (frame.ref !== undefined) {
          // A bid frame the daemon could not read (a bug here): its bid fails with the daemon's sentence.
          const pending = typeof frame.ref === 'number' ? this.bids.get(frame.ref) : undefined;
          if (pending) {
            this.bids.delete(frame.ref as number);
            clearTimeout(pending.timer);
            const { type: _type, code, message, ...details } = frame;
            pending.reject(new NbError(code, details, message));
            return;
          }
        }
        const ids = frame.auction !== undefined ? [frame.auction] : (frame.auctions ?? []);
        const refused = ids.filter((id) => this.subs.has(id));
        if (refused.length === 0) {
          const { type: _type, code, message, ...details } = frame;
          this.options.onError?.(new NbError(code, details, message));
          return;
        }
        for (const id of refused) {
          const sub = this.subs.get(id)!;
          this.subs.delete(id);
          sub.handler({ ...frame, auction: id });
        }
        this.settleWaiting();
        return;
      }
      case 'presence': {
        // After the auction's snapshot only: a handler always has the state first.
        const sub = this.subs.get(frame.auction);
        if (sub?.version !== undefined) sub.handler(frame);
        return;
      }
      default:
        if (isAuctionFrame(frame)) this.deliver(frame);
        else if (isPrivateEvent(frame)) this.deliverPrivate(frame);
    }
  }

  private deliver(frame: SnapshotFrame | AuctionEvent): void {
    const sub = this.subs.get(frame.auction);
    if (!sub) return;
    const last = sub.version;
    if (frame.type !== 'snapshot' && (last === undefined || frame.version > last + 1)) {
      // Never expected from a daemon; heal it by resuming from what was delivered.
      if (!sub.resyncing) {
        sub.resyncing = true;
        this.stats.gapsResynced++;
        this.sendSubscribe([frame.auction]);
      }
      return;
    }
    if (last !== undefined && frame.version <= last) {
      this.stats.duplicatesDropped++;
      return;
    }
    sub.version = frame.version;
    sub.resyncing = false;
    sub.handler(frame);
  }

  private settleBid(reply: ReplyFrame): void {
    if (typeof reply.ref !== 'number') return;
    const pending = this.bids.get(reply.ref);
    if (!pending) return; // timed out already
    this.bids.delete(reply.ref);
    clearTimeout(pending.timer);
    const out: BidReply = { status: reply.status, body: reply.body, replayed: reply.replayed === true };
    if (reply.retryAfter !== undefined) out.retryAfter = reply.retryAfter;
    pending.resolve(out);
  }

  /** Fails every bid waiting for its reply: its socket or the client is gone. */
  private failBids(why: 'lost' | 'closed'): void {
    for (const [ref, pending] of this.bids) {
      this.bids.delete(ref);
      clearTimeout(pending.timer);
      pending.reject(nbError('UNREACHABLE', { socketBid: why }));
    }
  }

  private deliverPrivate(event: InboxEvent): void {
    // Until the inbox op is answered, private events belong to the socket's start at open.
    if (this.inboxPending) return;
    const last = this.inbox;
    if (last !== undefined && event.seq <= last) {
      this.stats.duplicatesDropped++;
      return;
    }
    if (last !== undefined && event.seq > last + 1) {
      // Never expected from a daemon; heal it by resuming from what was delivered.
      this.stats.gapsResynced++;
      this.sendInbox();
      return;
    }
    this.inbox = event.seq;
    for (const h of this.privateHandlers) h(event);
  }

  private sendInbox(): void {
    this.inboxPending = true;
    this.send(this.inbox === undefined ? { op: 'inbox' } : { op: 'inbox', after: this.inbox });
  }

  private sendSubscribe(ids: number[]): void {
    for (let i = 0; i < ids.length; i += IDS_PER_FRAME) {
      const chunk = ids.slice(i, i + IDS_PER_FRAME);
      const after: Record<string, number> = {};
      for (const id of chunk) {
        const v = this.subs.get(id)?.version;
        if (v !== undefined) after[String(id)] = v;
      }
      const frame: ClientFrame = Object.keys(after).length ? { op: 'subscribe', auctions: chunk, after } : { op: 'subscribe', auctions: chunk };
      this.send(this.options.presence ? { ...frame, presence: true } : frame);
    }
  }

  private send(frame: ClientFrame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private settleWaiting(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i]!;
      if (this.closed || [...w.ids].every((id) => this.acked.has(id) || !this.subs.has(id))) {
        this.waiting.splice(i, 1);
        w.resolve();
      }
    }
  }

  private setState(state: SocketState): void {
    this.current = state;
    for (const h of this.stateHandlers) h(state);
  }
}

/** The socket URL for a daemon base URL: http → ws, https → wss, plus /v1/ws. */
export function socketUrl(base: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw nbError('INVALID_INPUT', { reason: 'notUrl', url: base });
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw nbError('INVALID_INPUT', { reason: 'urlScheme', url: base, schemes: 'http(s) or ws(s)' });
  if (!u.pathname.endsWith(WS_PATH)) u.pathname = `${u.pathname.replace(/\/+$/, '')}${WS_PATH}`;
  return u.toString();
}

/** The socket URL asking for batch frames. */
function withBatch(url: string): string {
  const u = new URL(url);
  u.searchParams.set(BATCH_PARAM, '1');
  return u.toString();
}

function checkIds(ids: number[]): number[] {
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id < 1) throw nbError('INVALID_INPUT', { reason: 'auctionId', id: String(id) });
  }
  return [...new Set(ids)];
}

/** Most bytes of a refused upgrade's answer that are read. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/**
 * The daemon's error for a refused upgrade, from its JSON body (and its
 * Retry-After); an answer that carries none (a proxy's, say) is named by its status.
 */
function readRefusal(res: IncomingMessage): Promise<NbError> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let read = false;
    const done = () => {
      if (read) return;
      read = true;
      res.removeAllListeners('data');
      let err: NbError;
      try {
        err = fromErrorBody(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        if (err.details.reason === 'unreadableError') err = refusalByStatus(res.statusCode ?? 0);
      } catch {
        err = refusalByStatus(res.statusCode ?? 0);
      }
      const after = Number(res.headers['retry-after']);
      if (Number.isFinite(after) && after >= 0) err.retryAfterMs = after * 1000;
      resolve(err);
    };
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REFUSAL_BYTES) chunks.push(c);
      else done();
    });
    res.once('end', done);
    res.once('error', done);
    res.once('close', done);
  });
}

/** A refusal whose body said nothing readable, by its HTTP status. */
function refusalByStatus(status: number): NbError {
  if (status === 401) return nbError('UNAUTHORIZED', { reason: 'refused' });
  if (status === 403) return nbError('FORBIDDEN');
  if (status === 429) return nbError('TOO_MANY_CONNECTIONS');
  // A gateway in front of the daemon answering for it while it is away.
  if (status === 502 || status === 503 || status === 504) return nbError('UNAVAILABLE');
  return nbError('INTERNAL', { reason: 'refusedSocket', status });
}

/** Why a socket went: the daemon's refusal, the error its close code stands for, or the connection's failure. */
function lossError(url: string, code: number, err: NbError | Error | undefined): NbError {
  if (err instanceof NbError) return err;
  const closed = errorOfClose(code);
  if (closed) return nbError(closed);
  return nbError('UNREACHABLE', { origin: originOf(url), problem: err ? err.message : `closed with ${code}` });
}

/** `ws://127.0.0.1:7700/v1/ws` → `http://127.0.0.1:7700`, as people typed it. */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    u.protocol = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
    return u.origin;
  } catch {
    return url;
  }
}
