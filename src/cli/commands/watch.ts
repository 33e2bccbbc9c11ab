// `neighborbid watch ID… | --all-open [--until closed]`: one socket, one line
// (or, with --json, one JSON object) per event, until Ctrl-C, or until every
// watched auction has ended. The socket client reconnects and resumes by
// itself; this file decides what to print, when to stop and how to exit.
// Lines for people name users: a line naming someone new waits for their name
// (one request for all the users new at that moment), and lines keep their order.
import { constants } from 'node:os';
import { SocketClient, type AuctionError, type AuctionMessage, type SocketState } from '../../client/socket-client.js';
import { NbError, nbError, type ErrorCode } from '../../protocol/errors.js';
import { isPrivateEvent, statusAfter, type PrivateEvent } from '../../protocol/events.js';
import { defaultSocketLimits } from '../../protocol/frames.js';
import { plural } from '../../format/text.js';
import type { NameCache } from '../../client/name-cache.js';
import type { Context } from '../context.js';
import { EventLines, type WatchedMessage } from '../event-lines.js';
import { nameCache } from '../names.js';
import { OpenAuctions } from '../open-auctions.js';
import { painter, colourEnabled } from '../output.js';

export interface WatchOptions {
  allOpen?: boolean;
  until?: 'closed';
  /** Seconds between looks for new auctions with --all-open. */
  poll: number;
}

/** Tries to reach the daemon at the start before giving up (exit 6); once live, reconnects never give up. */
export const CONNECT_ATTEMPTS = 4;

/** The signals that stop a watch; it leaves with 128 + the signal's number, as a shell reports it. */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Prints auction events as they happen; see the command's help and the README. */
export async function watch(ctx: Context, ids: number[], opts: WatchOptions): Promise<void> {
  if (ids.length === 0 && !opts.allOpen) {
    throw nbError('INVALID_INPUT', { reason: 'watchWhat' });
  }
  process.exitCode = await new Watch(ctx, [...new Set(ids)], opts).run();
}

type Message = AuctionMessage | PrivateEvent;

class Watch {
  private socket: SocketClient | undefined;
  private readonly lines: EventLines;
  /** Names for the lines; none with --json, whose frames go out as the daemon sent them. */
  private readonly names: NameCache | undefined;
  /** The lines written so far, and those waiting for a name, in the order their messages came. */
  private printing: Promise<void> = Promise.resolve();
  private readonly open: OpenAuctions | undefined;
  /** Subscribed auctions not yet seen in a final status. */
  private readonly pending = new Set<number>();
  /** At the start: auctions whose first message (snapshot or refusal) has not come yet. */
  private readonly awaited = new Set<number>();
  /** Messages held until every auction of the start has answered. */
  private held: Message[] | null = [];
  private discovering: Promise<boolean> = Promise.resolve(true);
  private pollTimer: NodeJS.Timeout | undefined;
  private wasLive = false;
  private lost = false;
  private full = false;
  private stopped = false;
  private end!: (code: number) => void;
  private abort!: (err: unknown) => void;
  private live!: () => void;

  constructor(
    private readonly ctx: Context,
    private readonly ids: number[],
    private readonly opts: WatchOptions,
  ) {
    this.lines = new EventLines(ctx.paint);
    this.names = ctx.json ? undefined : nameCache(ctx);
    if (this.names) this.lines.names = this.names;
    this.open = opts.allOpen ? new OpenAuctions(ctx.anonymous(), ids) : undefined;
  }

  /** Watches until the end and returns the exit code; closes the socket whatever happens. */
  async run(): Promise<number> {
    const ended = new Promise<number>((resolve, reject) => {
      this.end = (code) => {
        this.stopped = true;
        resolve(code);
      };
      this.abort = (err) => {
        this.stopped = true;
        reject(err);
      };
    });
    const onSignal = (signal: NodeJS.Signals) => this.end(128 + constants.signals[signal]);
    for (const s of SIGNALS) process.on(s, onSignal);
    try {
      this.start().catch(this.abort);
      return await ended;
    } finally {
      for (const s of SIGNALS) process.off(s, onSignal);
      clearTimeout(this.pollTimer);
      // What arrived before the end is printed (a name lookup is bounded by its timeout).
      await this.printing;
      await this.socket?.close();
    }
  }

  private async start(): Promise<void> {
    const { url, token } = this.ctx.identity();
    const live = new Promise<void>((resolve) => (this.live = resolve));
    this.socket = new SocketClient({
      url,
      token,
      onState: (s) => this.state(s),
      onPrivate: (e) => this.receive(e),
      onError: (err) => this.ctx.note(`${err.code}: ${err.message}`),
      presence: true,
    });
    await live;
    const ids = [...this.ids];
    if (this.open) {
      const room = (this.socket.limits ?? defaultSocketLimits).maxSubscriptions - ids.length;
      const { ids: open, more } = await this.open.initial(room);
      ids.push(...open);
      if (more > 0) this.tooMany(more);
      if (open.length === 0) this.ctx.note('no open auctions yet; new ones will show up here');
    }
    if (this.stopped) return;
    if (ids.length === 0) this.started();
    else this.add(ids, true);
  }

  /** Subscribes auctions; at the start their first messages are awaited before anything is printed. */
  private add(ids: number[], first = false): void {
    for (const id of ids) {
      this.pending.add(id);
      if (first) this.awaited.add(id);
    }
    void this.socket!.subscribe(ids, (m) => this.receive(m));
  }

  private receive(m: Message): void {
    if (this.stopped) return;
    if (this.held) {
      this.held.push(m);
      // A private event may come before anything is subscribed: only an awaited auction's answer counts.
      const answered = !isPrivateEvent(m) && this.awaited.delete(m.auction);
      if (answered && this.awaited.size === 0) this.started();
      return;
    }
    this.handle(m);
  }

  /** Every auction of the start has answered: fail if none can be watched, else print what came so far. */
  private started(): void {
    const held = this.held ?? [];
    this.held = null;
    const refused = held.filter((m): m is AuctionError => m.type === 'error');
    if (!this.open && this.ids.length > 0 && refused.length === this.ids.length) {
      const [first] = refused;
      const ids = refused.map((r) => r.auction);
      this.abort(new NbError(first!.code, { ...detailsOf(first!), ...(ids.length === 1 ? { auction: ids[0] } : { auctions: ids }) }));
      return;
    }
    // Snapshots first teach the lines every title, so the columns line up from the first line.
    for (const m of held) if (m.type === 'snapshot') this.lines.remember(m);
    this.refuse(refused);
    for (const r of refused) this.pending.delete(r.auction);
    for (const m of held) if (m.type !== 'error') this.handle(m);
    if (this.open) this.schedulePoll();
    this.checkDone();
  }

  private handle(m: Message): void {
    if (m.type === 'error') {
      this.refuse([m]);
      this.pending.delete(m.auction);
      this.checkDone();
      return;
    }
    this.show(m);
    if (isPrivateEvent(m) || m.type === 'presence') return;
    const status = m.type === 'snapshot' ? m.state.status : statusAfter(m);
    if (status === null || status === 'open') return;
    // Nothing follows a final status: stop watching it, which also keeps the socket under its subscription limit.
    this.pending.delete(m.auction);
    this.socket!.unsubscribe([m.auction]);
    this.checkDone();
  }

  /** One line per message on stdout, written as soon as it can be (at once with --json) so a pipe sees it as it happens. */
  private show(m: WatchedMessage | AuctionError): void {
    if (!this.names) {
      process.stdout.write(`${JSON.stringify(m)}\n`);
      return;
    }
    const message = m as WatchedMessage;
    const named = this.names.lookup(this.lines.users(message));
    this.printing = Promise.all([this.printing, named])
      .then(() => void process.stdout.write(`${this.lines.line(message)}\n`))
      .catch((err: unknown) => this.abort(err));
  }

  /** Refused auctions: a warning on stderr; with --json also their error frames on stdout. */
  private refuse(refused: AuctionError[]): void {
    if (this.ctx.json) for (const r of refused) this.show(r);
    const byCode = new Map<ErrorCode, AuctionError[]>();
    for (const r of refused) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
    for (const [code, group] of byCode) this.warn(new NbError(code, { ...detailsOf(group[0]!), auctions: group.map((r) => r.auction) }));
  }

  private warn(err: NbError): void {
    const paint = painter(colourEnabled(process.stderr));
    this.ctx.note(`${paint('yellow', err.code)}: ${err.message}`);
  }

  private tooMany(more: number): void {
    const max = (this.socket?.limits ?? defaultSocketLimits).maxSubscriptions;
    this.warn(nbError('TOO_MANY_SUBSCRIPTIONS', { limit: max, leftOut: more }));
  }

  /** With --until closed: ends once every watched auction has ended (and, with --all-open, no new one has opened). */
  private checkDone(): void {
    if (this.opts.until !== 'closed' || this.held || this.pending.size > 0 || this.stopped) return;
    if (!this.open) return this.end(0);
    void this.discover().then((ok) => {
      if (ok && this.pending.size === 0) this.end(0);
    });
  }

  /** Looks for auctions opened since the last look and watches them; false when the daemon could not be asked. */
  private discover(): Promise<boolean> {
    const look = async (): Promise<boolean> => {
      if (this.stopped || !this.open || !this.socket) return false;
      try {
        const room = (this.socket.limits ?? defaultSocketLimits).maxSubscriptions - this.socket.subscriptions().length;
        const { ids, more } = await this.open.since(room);
        if (this.stopped) return false;
        if (ids.length > 0) this.add(ids);
        if (more > 0 && !this.full) this.tooMany(more);
        this.full = more > 0;
        return true;
      } catch (err) {
        if (this.ctx.verbose) this.ctx.note(`could not look for new auctions: ${(err as Error).message}`);
        return false;
      }
    };
    this.discovering = this.discovering.then(look);
    return this.discovering;
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(async () => {
      await this.discover();
      this.checkDone();
      if (!this.stopped) this.schedulePoll();
    }, this.opts.poll * 1000);
  }

  /** Connection changes: notes on stderr, the user's id for "you", and giving up at the start. */
  private state(s: SocketState): void {
    if (this.stopped) return;
    switch (s.kind) {
      case 'live':
        this.lines.me = s.userId;
        if (this.lost) this.ctx.note(`live again; resuming ${plural(this.socket?.subscriptions().length ?? 0, 'auction')} from the last event seen`);
        this.lost = false;
        if (!this.wasLive) {
          this.wasLive = true;
          this.live();
        }
        return;
      case 'reconnecting':
        if (!this.wasLive) {
          if (s.attempt > CONNECT_ATTEMPTS) {
            // A refusal (too many sockets, a daemon stopping) leaves with its own code.
            const e = s.error;
            this.abort(e.code === 'UNREACHABLE' ? nbError('UNREACHABLE', { ...e.details, attempts: CONNECT_ATTEMPTS }) : e);
          } else if (this.ctx.verbose) {
            this.ctx.note(`cannot reach the daemon (${s.reason}); trying again (attempt ${s.attempt} of ${CONNECT_ATTEMPTS})`);
          }
        } else if (!this.lost) {
          this.lost = true;
          this.ctx.note(`connection lost (${s.reason}); reconnecting…`);
        } else if (s.attempt % 10 === 0) {
          this.ctx.note(`still reconnecting (attempt ${s.attempt}: ${s.reason})`);
        }
        return;
      case 'closed':
        // Only a refusal that retrying cannot cure (a wrong token) closes the client by itself.
        if (s.error) this.abort(s.error);
        return;
      case 'connecting':
        return;
    }
  }
}

/** A refusal's details: everything its frame says but what every error frame has. */
function detailsOf(refused: AuctionError): Record<string, unknown> {
  const { type: _type, auction: _auction, code: _code, message: _message, ...details } = refused;
  return details;
}
