// One auction's sequencer in one daemon. Events reach it from three places —
// this daemon's commits, other daemons' notifications (read back from the
// outbox) and the periodic catch-up — in any order and possibly twice. The
// channel passes each version on exactly once, in version order, serialised
// once for all its sockets, and fills any gap from the outbox.
//
// Invariant: every live subscriber has been sent every version up to the
// cursor (or up to its own `sent`, when that is ahead), and nothing else.
// Joins, fills and catch-ups run one at a time in the channel's worker, so a
// joining socket starts at one consistent point: snapshot or replay up to the
// cursor, then live from cursor + 1.
import type { Logger } from 'pino';
import type { AuctionEvent } from '../../protocol/events.js';
import type { SnapshotFrame, SocketLimits } from '../../protocol/frames.js';
import { errorFields } from '../log-fields.js';
import type { OutboxReader } from './outbox-reader.js';
import { Worker } from './passes.js';
import { jsonFrame } from './ws-frame.js';

/** What the channel needs of a socket. */
export interface Subscriber {
  /** Queues a whole WebSocket frame (ws-frame.ts); false when the socket is gone or was just cut for reading too slowly. */
  send(frame: Buffer): boolean;
  /** True while the socket still wants this auction under the subscription numbered `generation`. */
  wants(auction: number, generation: number): boolean;
  /** Bytes queued for the socket and not yet handed to the kernel. */
  readonly buffered: number;
}

export interface ChannelEnv {
  reader: OutboxReader;
  limits: SocketLimits;
  log: Logger;
  /** An event went out to `sockets` sockets. */
  dispatched(event: AuctionEvent, sockets: number): void;
  /** A joining socket asked for an auction that does not exist. */
  notFound(sub: Subscriber, auction: number): void;
  /** The channel has no subscribers and no work left; the hub may forget it. */
  idle(channel: Channel): void;
  stopped(): boolean;
}

interface Join {
  sub: Subscriber;
  generation: number;
  after: number | undefined;
}

export class Channel {
  /** Last version passed on to live subscribers; null until the first join reads the auction. */
  private cursor: number | null = null;
  /** Highest version known to be committed. */
  private known = 0;
  /** Versions above the cursor that arrived before their turn. */
  private readonly held = new Map<number, AuctionEvent>();
  /** Live subscribers: each has been sent every version up to the cursor. */
  private readonly live = new Set<Subscriber>();
  private joining: Join[] = [];
  /** Joins, fills and catch-ups, one at a time; a failed pass keeps the joins and the gap and is retried. */
  private readonly worker: Worker<Channel>;

  constructor(
    readonly id: number,
    private readonly env: ChannelEnv,
  ) {
    this.worker = new Worker(this, env, {
      needed: () => {
        // Fast path: the next events are in hand and nobody is joining: send them now.
        if (this.cursor !== null && this.joining.length === 0) this.dispatchHeld(Infinity);
        return this.joining.length > 0 || (this.cursor !== null && this.known > this.cursor);
      },
      pass: () => this.pass(),
      failed: (err) => this.env.log.debug({ ...errorFields(this.env.log, err), auction: this.id }, 'channel read failed; retrying'),
    });
  }

  get subscribers(): number {
    return this.live.size + this.joining.length;
  }

  /** True once the socket has had its snapshot or replay and gets events live. */
  isLive(sub: Subscriber): boolean {
    return this.live.has(sub);
  }

  /** Adds a socket: it gets a snapshot, or the events after `after`, then every later event. */
  join(sub: Subscriber, generation: number, after: number | undefined): void {
    this.live.delete(sub);
    this.joining = this.joining.filter((j) => j.sub !== sub);
    this.joining.push({ sub, generation, after });
    this.worker.kick();
  }

  /** Removes a socket; nothing more is sent to it. */
  leave(sub: Subscriber): void {
    this.live.delete(sub);
    this.joining = this.joining.filter((j) => j.sub !== sub);
    this.worker.maybeIdle();
  }

  /** A committed event, from any source; duplicates and old versions are ignored. */
  offer(event: AuctionEvent): void {
    const v = event.version;
    if (this.cursor !== null && v <= this.cursor) return;
    this.held.set(v, event);
    if (v > this.known) this.known = v;
    this.worker.kick();
  }

  /** Versions up to `version` are committed (a notification or a catch-up said so). */
  hint(version: number): void {
    if (version <= this.known) return;
    this.known = version;
    this.worker.kick();
  }

  /** Serves joins or moves the cursor. */
  private async pass(): Promise<boolean> {
    if (this.joining.length > 0) await this.serveJoins();
    else {
      this.dispatchHeld(Infinity);
      if (this.cursor !== null && this.known > this.cursor) await this.fill();
      else return false;
    }
    return true;
  }

  /** Serves every waiting join from one read of the auction. */
  private async serveJoins(): Promise<void> {
    const joins = this.joining;
    this.joining = [];
    const requeue = (js: Join[]) => {
      this.joining = [...js, ...this.joining];
    };
    let snap;
    try {
      snap = await this.env.reader.snapshot(this.id);
      if (snap && this.cursor === null) {
        this.cursor = snap.version;
        for (const v of this.held.keys()) if (v <= snap.version) this.held.delete(v);
      } else if (snap && snap.version > this.cursor!) {
        // Bring the live subscribers up to the snapshot first, so everyone joins at one point.
        await this.advanceTo(snap.version);
      }
      // The cursor only moves in this worker and only to committed versions, which a
      // later read sees: it cannot be past the snapshot. Retry rather than send a gap.
      if (snap && this.cursor! > snap.version) throw new Error(`auction ${this.id}: snapshot older than cursor`);
    } catch (err) {
      requeue(joins);
      throw err;
    }
    // Checked after the reads: a socket may have unsubscribed or gone meanwhile.
    const wanted = joins.filter((j) => j.sub.wants(this.id, j.generation));
    if (!snap) {
      for (const j of wanted) this.env.notFound(j.sub, this.id);
      return;
    }
    const at = snap.version;
    const { maxReplay, sendBufferBytes } = this.env.limits;
    const replays: Join[] = [];
    const snapshots: Join[] = [];
    for (const j of wanted) {
      if (j.after === at) this.live.add(j.sub);
      else if (j.after !== undefined && j.after < at && at - j.after <= maxReplay && j.sub.buffered < sendBufferBytes / 2) {
        replays.push(j);
      } else {
        // No `after`, too far behind, ahead of the database, or a backed-up socket: the state is cheaper.
        snapshots.push(j);
      }
    }

    if (snapshots.length > 0) {
      const frame: SnapshotFrame = { type: 'snapshot', auction: this.id, version: at, state: snap.state };
      const bytes = jsonFrame(frame);
      for (const j of snapshots) if (j.sub.send(bytes)) this.live.add(j.sub);
    }
    if (replays.length > 0) {
      let events: AuctionEvent[];
      try {
        events = await this.range(Math.min(...replays.map((j) => j.after!)), at);
      } catch (err) {
        requeue(replays);
        throw err;
      }
      const frames = events.map(jsonFrame);
      for (const j of replays) {
        if (!j.sub.wants(this.id, j.generation)) continue;
        let ok = true;
        for (let i = 0; i < events.length && ok; i++) if (events[i]!.version > j.after!) ok = j.sub.send(frames[i]!);
        if (ok) this.live.add(j.sub);
      }
    }
  }

  /** Reads (after, upTo] from the outbox, all of it, in order. */
  private async range(after: number, upTo: number): Promise<AuctionEvent[]> {
    const out: AuctionEvent[] = [];
    let lo = after;
    while (lo < upTo) {
      const page = await this.env.reader.events(this.id, lo, upTo);
      if (page.length === 0) break;
      out.push(...page);
      lo = page[page.length - 1]!.version;
    }
    return out;
  }

  /** Moves the cursor to exactly `target`, from held events and the outbox. */
  private async advanceTo(target: number): Promise<void> {
    for (let guard = 0; this.cursor! < target && guard < 10_000; guard++) {
      this.dispatchHeld(target);
      if (this.cursor! >= target) return;
      const page = await this.env.reader.events(this.id, this.cursor!, target);
      if (!page.some((e) => e.version === this.cursor! + 1)) {
        // Committed versions are never missing from the outbox; if one is, skip it loudly rather than stall.
        this.env.log.error({ auction: this.id, cursor: this.cursor, target }, 'outbox is missing a version');
        this.cursor = this.cursor! + 1;
        continue;
      }
      for (const e of page) if (e.version > this.cursor!) this.held.set(e.version, e);
    }
    // Joining below the cursor would skip versions for the newcomers: retry the joins instead.
    if (this.cursor! < target) throw new Error(`auction ${this.id}: could not reach version ${target}`);
  }

  /** Fills the gap between the cursor and the highest known version. */
  private async fill(): Promise<void> {
    const target = this.known;
    const page = await this.env.reader.events(this.id, this.cursor!, target);
    for (const e of page) if (e.version > this.cursor!) this.held.set(e.version, e);
    this.dispatchHeld(Infinity);
    if (page.length === 0 && this.cursor! < target) {
      // A hint beyond what the outbox holds (e.g. a bogus notification): forget it.
      this.env.log.warn({ auction: this.id, cursor: this.cursor, known: target }, 'hinted versions are not in the outbox');
      this.known = this.cursor!;
    }
  }

  /** Sends held events in order while the next version is in hand, up to `limit`. */
  private dispatchHeld(limit: number): void {
    if (this.cursor === null) return;
    for (;;) {
      const next: number = this.cursor! + 1;
      if (next > limit) return;
      const event = this.held.get(next);
      if (!event) break;
      this.held.delete(next);
      this.cursor = next;
      this.dispatch(event);
    }
  }

  private dispatch(event: AuctionEvent): void {
    if (this.live.size === 0) return;
    const frame = jsonFrame(event);
    let n = 0;
    for (const sub of this.live) if (sub.send(frame)) n++;
    this.env.dispatched(event, n);
  }
}
