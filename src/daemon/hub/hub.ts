// The daemon's fan-out: sockets indexed by auction (through one Channel per
// watched auction) and by user (for private events). Committed events come in
// from this daemon's commits and from other daemons' notifications; each is
// serialised once and handed to every socket that watches its auction.
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { NbError } from '../../protocol/errors.js';
import { nbError } from '../../protocol/errors.js';
import type { AuctionEvent } from '../../protocol/events.js';
import type { SocketLimits, SubscribeFrame } from '../../protocol/frames.js';
import type { SocketMetrics } from '../metrics.js';
import { Channel, type ChannelEnv, type Subscriber } from './channel.js';
import { Connection, type ConnectionHost } from './connection.js';
import type { OutboxReader } from './outbox-reader.js';
import type { Addressed } from './private-events.js';
import { jsonFrame } from './ws-frame.js';

export interface HubOptions {
  reader: OutboxReader;
  limits: SocketLimits;
  metrics: SocketMetrics;
  log: Logger;
  daemonId: string;
  version: string;
}

export class Hub implements ConnectionHost {
  private readonly channels = new Map<number, Channel>();
  private readonly users = new Map<number, Set<Connection>>();
  private readonly conns = new Set<Connection>();
  private readonly channelEnv: ChannelEnv;
  private stopped = false;
  private peak = 0;
  /** Connections with frames queued this turn (see connection.ts). */
  private queuedConns: Connection[] = [];
  /**
   * Coalesce each socket's frames per event-loop turn (connection.ts). The
   * environment variable NEIGHBORBID_WS_COALESCE=0 turns it off, for
   * measuring what it is worth (bench load), not for everyday use.
   */
  private readonly coalesce = process.env.NEIGHBORBID_WS_COALESCE !== '0';

  constructor(private readonly o: HubOptions) {
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
  }

  get sendBufferBytes(): number {
    return this.o.limits.sendBufferBytes;
  }

  /** Open sockets. */
  get size(): number {
    return this.conns.size;
  }

  /** Takes an upgraded socket (and the TCP socket under it); `userId` receives private events. */
  accept(ws: WebSocket, userId: number | null, raw: Duplex): Connection {
    const conn = new Connection(ws, userId, this, raw, this.coalesce);
    this.conns.add(conn);
    if (userId !== null) {
      let set = this.users.get(userId);
      if (!set) this.users.set(userId, (set = new Set()));
      set.add(conn);
    }
    this.o.metrics.open.set(this.conns.size);
    conn.sendFrame({
      type: 'welcome',
      daemonId: this.o.daemonId,
      version: this.o.version,
      userId,
      limits: this.o.limits,
    });
    return conn;
  }

  subscribe(conn: Connection, frame: SubscribeFrame): void {
    const ids = [...new Set(frame.auctions)];
    const added = ids.filter((id) => !conn.subs.has(id)).length;
    const max = this.o.limits.maxSubscriptions;
    if (conn.subs.size + added > max) {
      conn.sendError(
        nbError('TOO_MANY_SUBSCRIPTIONS', `A socket may watch at most ${max} auctions; this one watches ${conn.subs.size}.`, {
          limit: max,
          auctions: ids,
        }),
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

  unsubscribe(conn: Connection, auctions: number[]): void {
    const ids = [...new Set(auctions)];
    for (const id of ids) this.drop(conn, id);
    conn.sendFrame({ type: 'unsubscribed', auctions: ids });
  }

  removed(conn: Connection): void {
    if (!this.conns.delete(conn)) return;
    for (const id of [...conn.subs.keys()]) this.drop(conn, id);
    if (conn.userId !== null) {
      const set = this.users.get(conn.userId);
      set?.delete(conn);
      if (set?.size === 0) this.users.delete(conn.userId);
    }
    this.o.metrics.open.set(this.conns.size);
  }

  sent(bytesQueued: number): void {
    if (bytesQueued > this.peak) {
      this.peak = bytesQueued;
      this.o.metrics.sendBufferPeakBytes.set(bytesQueued);
    }
  }

  queued(conn: Connection): void {
    if (this.queuedConns.push(conn) === 1) setImmediate(() => this.flushAll());
  }

  private flushAll(): void {
    const conns = this.queuedConns;
    this.queuedConns = [];
    let writes = 0;
    for (const conn of conns) if (conn.flush()) writes++;
    this.o.metrics.socketWrites.inc(writes);
  }

  rejected(err: NbError): void {
    this.o.metrics.badFrames.inc({ code: err.code });
  }

  slow(conn: Connection): void {
    this.o.metrics.slowConsumerCloses.inc();
    this.o.log.info({ user: conn.userId, buffered: conn.buffered }, 'closing a slow consumer');
  }

  /** Events this daemon just committed, and the private events they owe. */
  publishLocal(events: AuctionEvent[], privates: Addressed[]): void {
    for (const event of events) this.channels.get(event.auction)?.offer(event);
    this.deliverPrivate(privates);
  }

  /** Versions up to `version` of an auction are committed somewhere; fetch what this daemon lacks. */
  hint(auction: number, version: number): void {
    this.channels.get(auction)?.hint(version);
  }

  /** Sends private events to their users' sockets on this daemon. */
  deliverPrivate(events: Addressed[]): void {
    for (const { userId, event } of events) {
      const set = this.users.get(userId);
      if (!set) continue;
      const frame = jsonFrame(event);
      let n = 0;
      for (const conn of set) if (conn.send(frame)) n++;
      this.o.metrics.fannedOut.inc({ kind: 'private' }, n);
    }
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

  /** Asks the database for the current version of every watched auction and fills any gap. */
  async catchUp(): Promise<void> {
    const ids = this.watched();
    const versions = await Promise.all(ids.map((id) => this.o.reader.version(id)));
    ids.forEach((id, i) => {
      const v = versions[i];
      if (v !== null && v !== undefined) this.hint(id, v);
    });
  }

  /** Stops work and closes every socket with the error's close code (1001 for SHUTTING_DOWN). */
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

  private drop(conn: Connection, id: number): void {
    if (!conn.subs.delete(id)) return;
    this.o.metrics.subscriptions.dec();
    this.channels.get(id)?.leave(conn);
  }

  private notFound(sub: Subscriber, auction: number): void {
    const conn = sub as Connection;
    this.drop(conn, auction);
    conn.sendError(nbError('NOT_FOUND', `No auction ${auction}.`, { auction }));
  }

  private dispatched(event: AuctionEvent, sockets: number): void {
    if (sockets === 0) return;
    this.o.metrics.fannedOut.inc({ kind: 'public' }, sockets);
    const at = Date.parse(event.at);
    if (Number.isFinite(at)) this.o.metrics.commitToSendSeconds.observe(Math.max(0, Date.now() - at) / 1000);
  }
}
