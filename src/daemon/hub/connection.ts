// One client socket: reads its frames, keeps its subscriptions and guards its
// send buffer. A socket whose queued bytes would pass the limit is cut at once
// (closed as SLOW_CONSUMER, then terminated if even the close cannot get through), so a
// reader that stalls costs at most the limit in memory.
//
// Frames are coalesced: every message frame a socket gets (already framed
// once for all sockets, ws-frame.ts) is queued here, and the hub writes every
// socket with frames at most once per flush window, counted from the socket's
// own last write (flush-schedule.ts), so they leave in one write of the TCP
// socket under `ws`. The write is most of a delivery's
// cost (a loopback send does the receiver's TCP work too), and a socket that
// watches busy auctions gets several events per write instead of one — like
// group commit. A frame the client waits for (a reply, a pong, an
// acknowledgement) does not wait for the window: it goes at the end of the
// turn and takes the queued events along.
// Writing under `ws` is safe because compression is off: `ws` then writes each
// of its own frames (pongs, the close frame) whole and at once, never queued,
// so they cannot split one of these, and the close frame is sent only after
// the queued frames are flushed. A socket that asked for batches (`?batch=1`)
// gets the frames of one write as one batch frame (ws-frame.ts) when there are several.
import type { Duplex } from 'node:stream';
import WebSocket, { type RawData } from 'ws';
import { closeCodeOf, nbError, NbError } from '../../protocol/errors.js';
import {
  errorFrame,
  parseClientFrame,
  type BidFrame,
  type ReplyFrame,
  type ServerFrame,
  type SubscribeFrame,
} from '../../protocol/frames.js';
import type { Subscriber } from './channel.js';
import type { InboxSubscriber } from './inbox-feed.js';
import type { Bidder } from './socket-bids.js';
import { batchFrame, joinedFrames, jsonFrame } from './ws-frame.js';
import { WriteScratch } from './write-scratch.js';

/** What a connection asks of the hub. */
export interface ConnectionHost {
  readonly sendBufferBytes: number;
  subscribe(conn: Connection, frame: SubscribeFrame): void;
  unsubscribe(conn: Connection, auctions: number[]): void;
  /** The socket (re)starts its private events after `after` (undefined: from now). */
  inbox(conn: Connection, after: number | undefined): void;
  /** A bid frame: answered later by a reply on this connection. */
  bid(conn: Connection, frame: BidFrame): void;
  removed(conn: Connection): void;
  sent(bytesQueued: number): void;
  rejected(err: NbError): void;
  slow(conn: Connection): void;
  /** The connection queued its first frame since its last write; the hub flushes it with the others. */
  queued(conn: Connection): void;
  /** The connection queued a frame its client waits for (a reply, an acknowledgement): flush it at the end of this turn. */
  urgent(conn: Connection): void;
}

/** Every socket's writes are assembled in it: the daemon writes one socket at a time. */
const scratch = new WriteScratch();

/** How long a slow consumer's close frame may take to get through before the socket is destroyed. */
const SLOW_CLOSE_GRACE_MS = 2000;
/** Frames a client may send before its welcome (held until then); a socket that sends more is dropped. */
const MAX_HELD_FRAMES = 64;

/** How a socket was opened, besides its user. */
export interface ConnectionOptions {
  /** Opened with the admin token: no private events, and no bids (as over HTTP). */
  admin?: boolean;
  /** The client asked for batch frames. */
  batch?: boolean;
}

export class Connection implements Subscriber, InboxSubscriber, Bidder {
  /** Subscribed auctions, each with the number of the subscription that added it. */
  readonly subs = new Map<number, number>();
  /** False once a heartbeat went out unanswered. */
  alive = true;
  /** Asked for presence frames (subscribed with presence: true). */
  presence = false;
  /** Bids sent on this socket and not yet replied to. */
  bidsInFlight = 0;
  readonly admin: boolean;
  /** Several frames of one write leave as one batch frame. */
  readonly batch: boolean;
  private generation = 0;
  /** The number of the socket's latest inbox start (see startInbox). */
  private inboxGeneration = 0;
  private cut = false;
  /** Frames queued since the last write, and their bytes. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** performance.now() of the last write of queued frames (the flush window counts from it). */
  lastWrite = -Infinity;
  /** How many frames the last write carried: the flush schedule's measure of a busy socket. */
  lastWriteFrames = 0;
  /** The hub has been asked to flush this socket at the end of the turn, and has not yet. */
  private urgent = false;
  /** Frames received before the welcome went out, to handle after it; null once welcomed. */
  private held: [RawData, boolean][] | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly userId: number | null,
    private readonly host: ConnectionHost,
    /** The upgraded TCP socket under `ws`, written once per flush. */
    private readonly raw: Duplex,
    /** False: write each frame at once (for measuring what coalescing is worth). */
    private readonly coalesce = true,
    options: ConnectionOptions = {},
  ) {
    this.admin = options.admin ?? false;
    this.batch = (options.batch ?? false) && coalesce;
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => {
      this.cut = true;
      host.removed(this);
    });
    // A broken socket ends in 'close'; the error itself says nothing to act on.
    ws.on('error', () => {});
  }

  /** Bytes queued and not yet taken by the kernel: the frames waiting for the flush and the socket's write buffer. */
  get buffered(): number {
    // What `ws.bufferedAmount` adds up, less its sender's own queue, which stays
    // empty without compression; read on every frame, so read directly.
    return this.raw.writableLength + this.pendingBytes;
  }

  get open(): boolean {
    return !this.cut && this.ws.readyState === WebSocket.OPEN;
  }

  /** Numbers a new subscription, so a late answer to an older one can be told apart. */
  nextGeneration(): number {
    return ++this.generation;
  }

  wants(auction: number, generation: number): boolean {
    return this.open && this.subs.get(auction) === generation;
  }

  /** Holds the frames the client sends until releaseFrames (the welcome is not out yet). */
  holdFrames(): void {
    this.held ??= [];
  }

  /** Handles the frames held so far, in order, and every later one as it comes. */
  releaseFrames(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const [data, isBinary] of held) this.receive(data, isBinary);
  }

  /** Numbers a new start of the socket's private events; an older start's late answer is then dropped. */
  startInbox(): number {
    this.inboxGeneration = this.nextGeneration();
    return this.inboxGeneration;
  }

  wantsInbox(generation: number): boolean {
    return this.open && this.inboxGeneration === generation;
  }

  send(frame: Buffer): boolean {
    if (!this.open) return false;
    const queued = this.buffered + frame.length;
    if (queued > this.host.sendBufferBytes) {
      this.slowConsumer();
      return false;
    }
    if (!this.coalesce) this.raw.write(frame);
    else {
      if (this.pending.push(frame) === 1) this.host.queued(this);
      this.pendingBytes += frame.length;
    }
    this.host.sent(queued);
    return true;
  }

  /** Writes the frames queued since the last write, in one write; false when there was nothing to write. */
  flush(now = performance.now()): boolean {
    this.urgent = false;
    const frames = this.pending;
    const bytes = this.pendingBytes;
    if (frames.length === 0) return false;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.open) return false;
    this.lastWrite = now;
    this.lastWriteFrames = frames.length;
    const out =
      frames.length === 1 ? frames[0]! : this.batch ? batchFrame(frames, scratch.take) : joinedFrames(frames, bytes, scratch.take);
    this.raw.write(out);
    // The kernel did not take it whole: the stream holds on to it.
    if (this.raw.writableLength > 0) scratch.keep(out);
    return true;
  }

  /** Queues a frame the client waits for; it leaves at the end of the turn, taking the queued events along. */
  sendFrame(frame: ServerFrame): boolean {
    if (!this.send(jsonFrame(frame))) return false;
    if (this.coalesce && !this.urgent) {
      this.urgent = true;
      this.host.urgent(this);
    }
    return true;
  }

  sendReply(reply: ReplyFrame): void {
    this.sendFrame(reply);
  }

  sendError(err: NbError): void {
    this.host.rejected(err);
    this.sendFrame(errorFrame(err));
  }

  /** Closes with the close code the error table gives the error's code (going away for SHUTTING_DOWN). */
  close(err: NbError): void {
    if (this.cut) return;
    // What was queued (within the limit, for a slow consumer too) goes first, then the close frame.
    this.flush();
    this.cut = true;
    this.host.removed(this);
    this.ws.close(closeCodeOf(err.code), err.code);
  }

  /** Drops the socket without a close handshake (a dead peer). */
  terminate(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.cut = true;
    this.host.removed(this);
    this.ws.terminate();
  }

  private slowConsumer(): void {
    this.host.slow(this);
    this.close(nbError('SLOW_CONSUMER'));
    // The close frame waits behind the unread bytes; if they stay unread, cut the TCP connection.
    setTimeout(() => this.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  }

  private receive(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (!this.open) return;
    if (this.held) {
      // Only a client that does not wait for its welcome sends frames now; one that sends many is not a client.
      if (this.held.push([data, isBinary]) > MAX_HELD_FRAMES) this.terminate();
      return;
    }
    if (isBinary) {
      this.sendError(nbError('INVALID_INPUT', { reason: 'binaryFrame' }));
      return;
    }
    let frame;
    try {
      frame = parseClientFrame((data as Buffer).toString('utf8'));
    } catch (err) {
      this.sendError(err instanceof NbError ? err : nbError('INVALID_INPUT', { reason: 'unreadableFrame' }));
      return;
    }
    switch (frame.op) {
      case 'ping':
        this.sendFrame({ type: 'pong' });
        break;
      case 'subscribe':
        this.host.subscribe(this, frame);
        break;
      case 'unsubscribe':
        this.host.unsubscribe(this, frame.auctions);
        break;
      case 'inbox':
        this.host.inbox(this, frame.after);
        break;
      case 'bid':
        this.host.bid(this, frame);
        break;
    }
  }
}
