// `neighborbid tui`: checks the daemon and the token, then runs the board on
// one socket until the person quits.
import { HttpClient } from '../client/http-client.js';
import { readMissed, type Missed } from '../client/inbox.js';
import { nbError, NbError } from '../protocol/errors.js';
import type { Me } from '../protocol/types.js';
import { connectSocket } from './data/connect-socket.js';
import { LiveBoardSource, type LiveInbox } from './data/live-source.js';
import { runTui, type RunOptions } from './run.js';

/** Where the board's user stopped reading private events (the CLI keeps it in its config file). */
export interface InboxMemory {
  position(userId: number): number | undefined;
  save(userId: number, seq: number): void;
}

export interface OpenOptions extends RunOptions {
  url: string;
  token?: string | undefined;
  /** With a user token: show what happened since the position kept here, and keep the new one. */
  inbox?: InboxMemory;
}

/** Opens the board against a daemon; rejects with an error value when it cannot start. */
export async function openTui(options: OpenOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw nbError('INVALID_INPUT', { reason: 'tuiTerminal' });
  }
  const http = new HttpClient({ url: options.url, token: options.token, keepAlive: true, timeoutMs: 10_000 });
  let inbox: CaughtUp | undefined;
  try {
    const health = await http.health();
    if (!health.ok) throw nbError('UNAVAILABLE');
    // A wrong token is said now, in one line, rather than on the first bid.
    const me = options.token ? await http.me() : null;
    if (me && options.inbox) inbox = await catchUp(http, me, options.inbox);
  } catch (err) {
    http.close();
    if (err instanceof NbError && err.code === 'UNREACHABLE') {
      throw nbError('UNREACHABLE', { ...err.details, hint: 'start' });
    }
    throw err;
  }
  // The socket's private events resume exactly where the missed ones end.
  const source = new LiveBoardSource(http, connectSocket(options.url, options.token, inbox?.away.next), inbox);
  try {
    await runTui(source, options);
  } finally {
    await source.close();
  }
}

type CaughtUp = LiveInbox & { away: Missed };

/** Reads what the user missed since the kept position, and keeps the new one (they are about to see them). */
async function catchUp(http: HttpClient, me: Me, memory: InboxMemory): Promise<CaughtUp> {
  const away = await readMissed(http, memory.position(me.id) ?? 0);
  // A config file that cannot be written costs only a repeat next time.
  const seen = (seq: number) => {
    try {
      memory.save(me.id, seq);
    } catch {}
  };
  seen(away.next);
  return { away, seen };
}
