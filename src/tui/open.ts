// `neighborbid tui`: checks the daemon and the token, then runs the board on
// one socket until the person quits.
import { HttpClient } from '../client/http-client.js';
import { nbError, NbError } from '../protocol/errors.js';
import { connectSocket } from './data/connect-socket.js';
import { LiveBoardSource } from './data/live-source.js';
import { runTui, type RunOptions } from './run.js';

export interface OpenOptions extends RunOptions {
  url: string;
  token?: string | undefined;
}

/** Opens the board against a daemon; rejects with an error value when it cannot start. */
export async function openTui(options: OpenOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw nbError('INVALID_INPUT', { reason: 'tuiTerminal' });
  }
  const http = new HttpClient({ url: options.url, token: options.token, keepAlive: true, timeoutMs: 10_000 });
  try {
    const health = await http.health();
    if (!health.ok) throw nbError('UNAVAILABLE');
    // A wrong token is said now, in one line, rather than on the first bid.
    if (options.token) await http.me();
  } catch (err) {
    http.close();
    if (err instanceof NbError && err.code === 'UNREACHABLE') {
      throw nbError('UNREACHABLE', { ...err.details, hint: 'start' });
    }
    throw err;
  }
  const source = new LiveBoardSource(http, connectSocket(options.url, options.token));
  try {
    await runTui(source, options);
  } finally {
    await source.close();
  }
}
