// The daemon's fan-out: sockets indexed by auction (through one Channel per
// watched auction) and by user (through one InboxFeed per user, for private
// events). Committed events come in from this daemon's commits and from other
// daemons' notifications; each is serialised once and handed to every socket
// that watches its auction, or that belongs to its user.
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { NbError } from '../../protocol/errors.js';
import { nbError } from '../../protocol/errors.js';
import type { AuctionEvent } from '../../protocol/events.js';
import { SOCKET_FEATURES, type BidFrame, type SocketLimits, type SubscribeFrame, type WelcomeFrame } from '../../protocol/frames.js';
import type { SocketMetrics } from '../metrics.js';
import { Channel, type ChannelEnv, type Subscriber } from './channel.js';
import { Connection, type ConnectionHost, type ConnectionOptions } from './connection.js';
import { FlushSchedule } from './flush-schedule.js';
import { InboxFeed, type InboxFeedEnv } from './inbox-feed.js';
import type { InboxReader } from './inbox-reader.js';
import type { OutboxReader } from './outbox-reader.js';
import { jsonFrame } from './ws-frame.js';
import { takeBid, type SocketBidsEnv } from './socket-bids.js';

export interface HubOptions {
  reader: OutboxReader;
  inboxReader: InboxReader;
  limits: SocketLimits;
  metrics: SocketMetrics;
  log: Logger;
  daemonId: string;
  version: string;
  /** The flush window: sockets are written at most once per this many ms (default DEFAULT_FLUSH_MS). */
  flushMs?: number | undefined;
}

/**
 * The flush window's default, in ms. Measured with `bench load` (docs/design.md,
 * "The flush window"): the socket write is most of a delivery's cost, and a
 * write that waits this long carries several events instead of one. 30 rather
 * than 20: at 1,000 bids/s a delivery cost the daemon 2.3–2.8 µs instead of
 * 3.1–3.2, and the commit-to-watcher p99 did not rise, because the saved CPU is
 * the two cores' bottleneck. A light socket waits two thirds of it
 * (flush-schedule.ts), so low rates keep the 20 ms window's latency.
 * NEIGHBORBID_WS_FLUSH_MS overrides it (0: flush every turn).
 */
export const DEFAULT_FLUSH_MS = 30;

function flushWindow(option: number | undefined): number {
  if (option !== undefined) return option;
  const env = Number(process.env.NEIGHBORBID_WS_FLUSH_MS);
  return process.env.NEIGHBORBID_WS_FLUSH_MS !== undefined && Number.isFinite(env) && env >= 0 ? env : DEFAULT_FLUSH_MS;
}

export class Hub implements ConnectionHost {
  private readonly channels = new Map<number, Channel>();
  private readonly feeds = new Map<number, InboxFeed>();
  private readonly conns = new Set<Connection>();
  private readonly channelEnv: ChannelEnv;
  private readonly feedEnv: InboxFeedEnv;
  private stopped = false;
  private peak = 0;
  /** When each socket is written: at most once per flush window, a window per socket (flush-schedule.ts). */
  private readonly flushes: FlushSchedule<Connection>;
  /**
   * Coalesce each socket's frames per event-loop turn (connection.ts). The
   * environment variable NEIGHBORBID_WS_COALESCE=0 turns it off, for
   * measuring what it is worth (bench load), not for everyday use.
   */
  private readonly coalesce = process.env.NEIGHBORBID_WS_COALESCE !== '0';
  /** The bid path, once the daemon has one (takeBids); until then bid frames are answered UNAVAILABLE. */
  private bids: SocketBidsEnv | undefined;

  constructor(private readonly o: HubOptions) {
    this.flushes = new FlushSchedule(flushWindow(o.flushMs), (writes) => this.o.metrics.socketWrites.inc(writes));
    this.channelEnv = {
      reader: o.reader,
      limits: o.limits,
      log: o.log,
      dispatched: (event, sockets) => this.dispatched(event, sockets),
      notFound: (sub, auction) => this.notFound(sub as Connection, auction),
      idle: (channel) => {
        if (this.channels.get(channel.id) === channel && channel.subscribers === 0) this.channels.delete(channel.id);
      },
      stopped: () => this.stopped,
    };
    this.feedEnv = {
      reader: o.inboxReader,
      limits: o.limits,
      log: o.log,
      dispatched: (n) => this.o.metrics.fannedOut.inc({ kind: 'private' }, n),
      idle: (feed) => {
        if (this.feeds.get(feed.userId) === feed && feed.subscribers === 0) this.feeds.delete(feed.userId);
      },
      stopped: () => this.stopped,
    };
  }

  get sendBufferBytes(): number {
    return this.o.limits.sendBufferBytes;
  }

  /** Open sockets. */
  get size(): number {
    return this.conns.size;
  }

  /** Lets sockets bid: bid frames go down `env.place`, the path HTTP bids take. */
  takeBids(env: SocketBidsEnv): void {
    this.bids = env;
  }

  /** Takes an upgraded socket (and the TCP socket under it); `userId` receives private events. */
  accept(ws: WebSocket, userId: number | null, raw: Duplex, options: ConnectionOptions = {}): Connection {
    const conn = new Connection(ws, userId, this, raw, this.coalesce, options);
    this.conns.add(conn);
    this.o.metrics.open.set(this.conns.size);
    const welcome: WelcomeFrame = {
      type: 'welcome',
      daemonId: this.o.daemonId,
      version: this.o.version,
      userId,
      inbox: null,
      limits: this.o.limits,
      features: [...SOCKET_FEATURES],
      batch: conn.batch,
    };
    if (userId === null) {
      conn.sendFrame(welcome);
      return conn;
    }
    // A user's welcome waits for their inbox position, so that it can say exactly which private
    // events follow; what the socket sends meanwhile is handled after the welcome.
    conn.holdFrames();
    this.feed(userId).join(conn, conn.startInbox(), undefined, (after) => {
      const sent = conn.sendFrame({ ...welcome, inbox: after });
      conn.releaseFrames();
      return sent;
    });
    return conn;
  }

  subscribe(conn: Connection, frame: SubscribeFrame): void {
    const ids = [...new Set(frame.auctions)];
    const added = ids.filter((id) => !conn.subs.has(id)).length;
    const max = this.o.limits.maxSubscriptions;
    if (conn.subs.size + added > max) {
      conn.sendError(
        nbError('TOO_MANY_SUBSCRIPTIONS', { limit: max, watching: conn.subs.size, auctions: ids }),
      );
      return;
    }
    if (frame.presence) conn.presence = true;
    // The acknowledgement goes first: snapshots and replays follow from the channels.
    if (!conn.sendFrame({ type: 'subscribed', auctions: ids })) return; // cut for reading too slowly
    this.o.metrics.subscriptions.inc(added);
    for (const id of ids) {
      const generation = conn.nextGeneration();
      conn.subs.set(id, generation);
      this.channel(id).join(conn, generation, frame.after?.[String(id)]);
    }
  }

  inbox(conn: Connection, after: number | undefined): void {
    if (conn.userId === null) {
      conn.sendError(nbError('UNAUTHORIZED', { reason: 'privateNeedsUser', op: 'inbox' }));
      return;
    }
    this.feed(conn.userId).join(conn, conn.startInbox(), after, (at, truncated) => conn.sendFrame({ type: 'inbox', after: at, truncated }));
  }

  bid(conn: Connection, frame: BidFrame): void {
    takeBid(this.bids, conn, frame, this.o.limits.maxBidsInFlight);
  }

  unsubscribe(conn: Connection, auctions: number[]): void {
    const ids = [...new Set(auctions)];
    for (const id of ids) this.drop(conn, id);
    conn.sendFrame({ type: 'unsubscribed', auctions: ids });
  }

  removed(conn: Connection): void {
    if (!this.conns.delete(conn)) return;
    for (const id of [...conn.subs.keys()]) this.drop(conn, id);
    if (conn.userId !== null) this.feeds.get(conn.userId)?.leave(conn);
    this.o.metrics.open.set(this.conns.size);
  }

  sent(bytesQueued: number): void {
    if (bytesQueued > this.peak) {
      this.peak = bytesQueued;
      this.o.metrics.sendBufferPeakBytes.set(bytesQueued);
    }
  }

  queued(conn: Connection): void {
    this.flushes.waiting(conn);
  }

  urgent(conn: Connection): void {
    this.flushes.atEndOfTurn(conn);
  }

  rejected(err: NbError): void {
    this.o.metrics.badFrames.inc({ code: err.code });
  }

  slow(conn: Connection): void {
    this.o.metrics.slowConsumerCloses.inc();
    this.o.log.info({ user: conn.userId, buffered: conn.buffered }, 'closing a slow consumer');
  }

  /** Events this daemon just committed. */
  publishLocal(events: AuctionEvent[]): void {
    for (const event of events) this.channels.get(event.auction)?.offer(event);
  }

  /** Versions up to `version` of an auction are committed somewhere; fetch what this daemon lacks. */
  hint(auction: number, version: number): void {
    this.channels.get(auction)?.hint(version);
  }

  /** These users' inboxes may have grown (committed here or on another daemon): their sockets here read on. */
  inboxNews(users: Iterable<number>): void {
    for (const id of users) this.feeds.get(id)?.poke();
  }

  /** Per auction watched here, its distinct watchers on this daemon: users, plus anonymous sockets. */
  localWatchers(): Map<number, number> {
    const out = new Map<number, number>();
    const users = new Map<number, Set<number>>();
    for (const conn of this.conns) {
      for (const id of conn.subs.keys()) {
        if (conn.userId === null) out.set(id, (out.get(id) ?? 0) + 1);
        else {
          let set = users.get(id);
          if (!set) users.set(id, (set = new Set()));
          set.add(conn.userId);
        }
      }
    }
    for (const [id, set] of users) out.set(id, (out.get(id) ?? 0) + set.size);
    return out;
  }

  /** Sends auctions' watcher counts to the sockets here that watch them live and asked for presence. */
  sendPresence(counts: Map<number, number>): void {
    if (counts.size === 0) return;
    const frames = new Map<number, Buffer>();
    for (const [auction, watching] of counts) frames.set(auction, jsonFrame({ type: 'presence', auction, watching }));
    let n = 0;
    for (const conn of this.conns) {
      if (!conn.presence) continue;
      for (const id of conn.subs.keys()) {
        const frame = frames.get(id);
        if (frame && this.channels.get(id)?.isLive(conn) && conn.send(frame)) n++;
      }
    }
    this.o.metrics.fannedOut.inc({ kind: 'presence' }, n);
  }

  /** Auctions some socket here watches. */
  watched(): number[] {
    return [...this.channels.keys()];
  }

  /** Asks the database for the current version of every watched auction (and inbox) and fills any gap. */
  async catchUp(): Promise<void> {
    // A lost notification delays private events until here, as it does public ones.
    this.inboxNews([...this.feeds.keys()]);
    const ids = this.watched();
    const versions = await Promise.all(ids.map((id) => this.o.reader.version(id)));
    ids.forEach((id, i) => {
      const v = versions[i];
      if (v !== null && v !== undefined) this.hint(id, v);
    });
  }

  /** Stops work and closes every socket with the error's close code (going away for SHUTTING_DOWN). */
  closeAll(err: NbError): void {
    this.stopped = true;
    for (const conn of [...this.conns]) conn.close(err);
  }

  /** Sockets still open (for shutdown). */
  sockets(): Connection[] {
    return [...this.conns];
  }

  private channel(id: number): Channel {
    let ch = this.channels.get(id);
    if (!ch) this.channels.set(id, (ch = new Channel(id, this.channelEnv)));
    return ch;
  }

  private feed(userId: number): InboxFeed {
    let feed = this.feeds.get(userId);
    if (!feed) this.feeds.set(userId, (feed = new InboxFeed(userId, this.feedEnv)));
    return feed;
  }

  private drop(conn: Connection, id: number): void {
    if (!conn.subs.delete(id)) return;
    this.o.metrics.subscriptions.dec();
    this.channels.get(id)?.leave(conn);
  }

  private notFound(sub: Subscriber, auction: number): void {
    const conn = sub as Connection;
    this.drop(conn, auction);
    conn.sendError(nbError('NOT_FOUND', { auction }));
  }

  private dispatched(event: AuctionEvent, sockets: number): void {
    if (sockets === 0) return;
    this.o.metrics.fannedOut.inc({ kind: 'public' }, sockets);
    const at = Date.parse(event.at);
    if (Number.isFinite(at)) this.o.metrics.commitToSendSeconds.observe(Math.max(0, Date.now() - at) / 1000);
  }
}
