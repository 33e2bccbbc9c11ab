// One user's private events in one daemon: every socket of that user here gets
// the user's inbox events (migration 005) once each, in seq order. Events are
// always read from the inbox table — after this daemon's commits, other
// daemons' notifications and the periodic catch-up alike ("news") — so a
// socket on any daemon sees the same sequence.
//
// Invariant: every live subscriber has been sent every seq from its start up
// to the cursor, and nothing else. Joins and reads run one at a time in the
// feed's worker, so a socket that starts (or restarts) at a position gets
// exactly the events after it: the ones kept up to the cursor, then live ones.
import type { Logger } from 'pino';
import type { SocketLimits } from '../../protocol/frames.js';
import { inboxEvent, startOf, truncation, type InboxRow } from '../rules/inbox.js';
import { INBOX_RANGE_PAGE, type InboxReader } from './inbox-reader.js';
import { Worker } from './passes.js';
import { jsonFrame } from './ws-frame.js';
import { errorFields } from '../log-fields.js';

/** What the feed needs of a socket. */
export interface InboxSubscriber {
  /** Queues a whole WebSocket frame; false when the socket is gone or was just cut for reading too slowly. */
  send(frame: Buffer): boolean;
  /** True while the socket's inbox start numbered `generation` is its latest one. */
  wantsInbox(generation: number): boolean;
  /** False once the socket is gone. */
  readonly open: boolean;
}

export interface InboxFeedEnv {
  reader: InboxReader;
  limits: SocketLimits;
  log: Logger;
  /** Private event frames went out to `sockets` sockets. */
  dispatched(sockets: number): void;
  /** The feed has no subscribers and no work left; the hub may forget it. */
  idle(feed: InboxFeed): void;
  stopped(): boolean;
}

/** Tells a socket where its private events start; false when it takes no more frames. */
export type OnStart = (after: number, truncated: boolean) => boolean;

interface Join {
  sub: InboxSubscriber;
  generation: number;
  /** The position asked for; undefined: from now. */
  after: number | undefined;
  started: OnStart;
}

export class InboxFeed {
  /** Last seq sent to the live subscribers; null until the first join reads the user's newest seq. */
  private cursor: number | null = null;
  private readonly live = new Set<InboxSubscriber>();
  private joining: Join[] = [];
  /** Something may have been committed past the cursor. */
  private news = false;
  /** Joins and reads, one at a time; a failed pass keeps the joins and the news and is retried. */
  private readonly worker: Worker<InboxFeed>;

  constructor(
    readonly userId: number,
    private readonly env: InboxFeedEnv,
  ) {
    this.worker = new Worker(this, env, {
      needed: () => this.joining.length > 0 || (this.news && this.cursor !== null),
      pass: () => this.pass(),
      failed: (err) => {
        this.news = true;
        this.env.log.debug({ ...errorFields(this.env.log, err), user: this.userId }, 'inbox read failed; retrying');
      },
    });
  }

  get subscribers(): number {
    return this.live.size + this.joining.length;
  }

  /**
   * Starts a socket after `after` (undefined: from now); `started` is told where, before any
   * event. A socket that starts again while a start is pending has both answered, in order;
   * only the last one's events follow.
   */
  join(sub: InboxSubscriber, generation: number, after: number | undefined, started: OnStart): void {
    this.live.delete(sub);
    this.joining.push({ sub, generation, after, started });
    this.worker.kick();
  }

  /** Removes a socket; nothing more is sent to it. */
  leave(sub: InboxSubscriber): void {
    this.live.delete(sub);
    this.joining = this.joining.filter((j) => j.sub !== sub);
    this.worker.maybeIdle();
  }

  /** The user's inbox may have grown (a commit here or elsewhere, or a catch-up). */
  poke(): void {
    this.news = true;
    this.worker.kick();
  }

  /** Serves joins or reads news. */
  private async pass(): Promise<boolean> {
    if (this.joining.length > 0) await this.serveJoins();
    else if (this.news && this.cursor !== null) {
      this.news = false;
      await this.advance();
    } else return false;
    return true;
  }

  /** Sends the live subscribers everything committed after the cursor. */
  private async advance(): Promise<void> {
    for (let guard = 0; guard < 10_000; guard++) {
      const rows = await this.env.reader.events(this.userId, this.cursor!);
      if (rows.length > 0 && rows[0]!.seq !== this.cursor! + 1) {
        // Pruned while a socket was live (retention is days and a thousand events): say so, go on.
        this.env.log.warn({ user: this.userId, cursor: this.cursor, next: rows[0]!.seq }, 'inbox events were pruned before they were sent');
      }
      this.dispatch(rows);
      if (rows.length < INBOX_RANGE_PAGE) return;
    }
  }

  /** Serves every waiting join from one read of the user's newest seq. */
  private async serveJoins(): Promise<void> {
    const joins = this.joining;
    this.joining = [];
    let at: number;
    try {
      const head = await this.env.reader.head(this.userId);
      if (this.cursor === null || head < this.cursor) {
        // First join, or the database was replaced under us: start over at its newest seq.
        this.cursor = head;
      } else if (head > this.cursor) {
        // Bring the live subscribers up to date first, so everyone joins at one point.
        await this.advance();
      }
      at = this.cursor;
    } catch (err) {
      this.joining = [...joins, ...this.joining];
      throw err;
    }
    // Checked after the reads: a socket may have gone meanwhile.
    const wanted = joins.filter((j) => j.sub.open);
    // Where each replay starts; further behind than one replay, the oldest missed are left out (truncated).
    const from = wanted.map((j) =>
      j.after === undefined || j.after === at ? null : Math.max(startOf(j.after, at).from, at - this.env.limits.maxReplay),
    );
    const lows = from.filter((f): f is number => f !== null);
    let rows: InboxRow[] = [];
    if (lows.length > 0) {
      try {
        rows = await this.range(Math.min(...lows), at);
      } catch (err) {
        this.joining = [...wanted, ...this.joining];
        throw err;
      }
    }
    const frames = rows.map((r) => jsonFrame(inboxEvent(r)));
    // In the order asked: a socket's later start is answered after its earlier one.
    wanted.forEach((j, i) => {
      const lo = from[i];
      if (lo === null || lo === undefined) return this.start(j, at, false, []);
      const first = rows.findIndex((r) => r.seq > lo);
      const { truncated, at: stands } = truncation(j.after!, at, first < 0 ? undefined : rows[first]!.seq);
      this.start(j, first < 0 ? stands : rows[first]!.seq - 1, truncated, first < 0 ? [] : frames.slice(first));
    });
  }

  /** Answers a join and, unless a later start replaced it, sends its replay and makes it live. */
  private start(j: Join, after: number, truncated: boolean, replay: Buffer[]): void {
    if (!j.started(after, truncated) || !j.sub.wantsInbox(j.generation)) return;
    for (const frame of replay) if (!j.sub.send(frame)) return;
    this.live.add(j.sub);
  }

  /** Reads (after, upTo] of the user's inbox, all of it, in order. */
  private async range(after: number, upTo: number): Promise<InboxRow[]> {
    const out: InboxRow[] = [];
    let lo = after;
    while (lo < upTo) {
      const page = await this.env.reader.events(this.userId, lo, upTo);
      out.push(...page);
      // An empty page is a pruned stretch: step over it.
      lo = page.length > 0 ? page[page.length - 1]!.seq : lo + INBOX_RANGE_PAGE;
    }
    return out;
  }

  private dispatch(rows: InboxRow[]): void {
    if (rows.length === 0) return;
    this.cursor = rows[rows.length - 1]!.seq;
    if (this.live.size === 0) return;
    let n = 0;
    for (const row of rows) {
      const frame = jsonFrame(inboxEvent(row));
      for (const sub of this.live) if (sub.send(frame)) n++;
    }
    this.env.dispatched(n);
  }
}
