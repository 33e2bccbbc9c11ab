// `neighborbid inbox [--follow] [--after <seq>]`: what happened to you while you
// were away — outbid, won, lost, sold, unsold, balance changes — read from the
// daemon's inbox after the last event this command (or the TUI) showed you,
// one line each (one JSON object each with --json). The position is saved in
// the config file per daemon URL and user. With --follow it then stays on one
// socket and prints new ones as they come, resuming by itself after a loss.
import { constants } from 'node:os';
import type { HttpClient } from '../../client/http-client.js';
import { readMissed } from '../../client/inbox.js';
import { SocketClient } from '../../client/socket-client.js';
import { nbError } from '../../protocol/errors.js';
import { inboxSummary } from '../../format/inbox-summary.js';
import { INBOX_RETENTION, type InboxEvent } from '../../protocol/inbox.js';
import { inboxPosition, saveInboxPosition } from '../config.js';
import type { Context } from '../context.js';
import { EventLines } from '../event-lines.js';
import { nameCache } from '../names.js';
import { CONNECT_ATTEMPTS } from './watch.js';

export interface InboxOptions {
  follow?: boolean;
  /** Show the events after this seq instead of after the saved position. */
  after?: number;
}

/** Titles looked up at once, at most. */
const TITLE_LOOKUPS = 8;

/** Prints the private events since the last look (and, with --follow, new ones); saves where it stopped. */
export async function inbox(ctx: Context, opts: InboxOptions): Promise<void> {
  const http = ctx.user();
  const { url, token } = ctx.identity();
  const who = await http.whoami();
  if (who.kind !== 'user') throw nbError('FORBIDDEN', { reason: 'needsUser' });
  const after = opts.after ?? inboxPosition(ctx.config(), url, who.id) ?? 0;
  const out = new Printer(ctx, http, who.id, (seq) => saveInboxPosition(ctx.configFile, url, who.id, seq));
  // Taken at once: a Ctrl-C while the missed events are read still ends with its own code.
  const stop = opts.follow ? stopOnSignal() : undefined;
  try {
    const next = await catchUp(ctx, http, after, out);
    // Saved even when nothing was shown: a position past the newest (another database) is corrected.
    saveInboxPosition(ctx.configFile, url, who.id, next);
    if (stop) process.exitCode = await follow(ctx, url, token!, next, out, stop.code);
  } finally {
    stop?.dispose();
  }
}

/** Prints the events after `after`, with a summary line for people; returns where it stopped. */
async function catchUp(ctx: Context, http: HttpClient, after: number, out: Printer): Promise<number> {
  const missed = await readMissed(http, after);
  if (missed.truncated) {
    ctx.note(
      `some events after #${after} are no longer kept (the daemon keeps ${INBOX_RETENTION.days} days and the newest ${INBOX_RETENTION.events.toLocaleString('en-US')} per user); showing from the oldest kept`,
    );
  }
  if (!ctx.json) {
    const since = after === 0 ? 'ever' : `since #${after}`;
    process.stdout.write(
      missed.events.length === 0 ? `Nothing new ${since}.\n` : `While you were away (${since}): ${inboxSummary(missed.events)}.\n`,
    );
  }
  await out.print(missed.events);
  return missed.next;
}

/** Writes events in order, as lines for people (with titles and names) or as JSON, saving each one's seq once written. */
class Printer {
  private readonly lines: EventLines;
  private readonly titles = new Set<number>();
  private readonly names;
  private printing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: Context,
    private readonly http: HttpClient,
    me: number,
    private readonly saved: (seq: number) => void,
  ) {
    this.lines = new EventLines(ctx.paint);
    this.lines.me = me;
    this.names = ctx.json ? undefined : nameCache(ctx);
    if (this.names) this.lines.names = this.names;
  }

  /** Queues events for printing; resolves once they (and everything queued before) are written. */
  print(events: InboxEvent[]): Promise<void> {
    if (events.length === 0) return this.printing;
    this.printing = this.printing.then(async () => {
      if (!this.ctx.json) await this.learn(events);
      for (const e of events) {
        process.stdout.write(`${this.ctx.json ? JSON.stringify(e) : this.lines.line(e)}\n`);
        this.saved(e.seq);
      }
    });
    return this.printing;
  }

  /** Titles and names for the lines; what cannot be had is shown by id. */
  private async learn(events: InboxEvent[]): Promise<void> {
    const ids = [...new Set(events.flatMap((e) => ('auction' in e ? [e.auction] : [])))].filter((id) => !this.titles.has(id));
    for (let i = 0; i < ids.length; i += TITLE_LOOKUPS) {
      const batch = ids.slice(i, i + TITLE_LOOKUPS);
      const found = await Promise.allSettled(batch.map((id) => this.http.auction(id)));
      found.forEach((r, j) => {
        this.titles.add(batch[j]!);
        if (r.status === 'fulfilled') this.lines.learnTitle(r.value.id, r.value.title);
      });
    }
    await this.names?.lookup(events.flatMap((e) => this.lines.users(e)));
  }
}

/** The signals that stop a follow; it leaves with 128 + the signal's number. */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves `code` with 128 + the number of the first of SIGNALS to come, until disposed. */
function stopOnSignal(): { code: Promise<number>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const code = new Promise<number>((resolve) => (onSignal = (signal) => resolve(128 + constants.signals[signal])));
  for (const s of SIGNALS) process.on(s, onSignal);
  return { code, dispose: () => SIGNALS.forEach((s) => process.off(s, onSignal)) };
}

/** Prints private events as they come, from `after` on, until `stopped` resolves; resolves with the exit code. */
async function follow(ctx: Context, url: string, token: string, after: number, out: Printer, stopped: Promise<number>): Promise<number> {
  let socket: SocketClient | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      let wasLive = false;
      let lost = false;
      void stopped.then(resolve);
      socket = new SocketClient({
        url,
        token,
        inboxAfter: after,
        onPrivate: (e) => void out.print([e]).catch(reject),
        onInboxTruncated: ({ after: kept }) => ctx.note(`events up to #${kept} are no longer kept; going on from there`),
        onState: (s) => {
          if (s.kind === 'live') {
            if (lost) ctx.note('live again; resuming from the last event seen');
            wasLive = true;
            lost = false;
          } else if (s.kind === 'reconnecting') {
            if (!wasLive && s.attempt > CONNECT_ATTEMPTS) {
              reject(nbError('UNREACHABLE', { origin: url, problem: s.reason, attempts: CONNECT_ATTEMPTS }));
            } else if (wasLive && !lost) {
              lost = true;
              ctx.note(`connection lost (${s.reason}); reconnecting…`);
            }
          } else if (s.kind === 'closed' && s.error) reject(s.error);
        },
      });
    });
  } finally {
    await out.print([]);
    await socket?.close();
  }
}
