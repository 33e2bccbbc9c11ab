// The one place the TUI makes its socket: the shared client from src/client,
// which reconnects with backoff and resumes every auction from its last version.
import { SocketClient } from '../../client/socket-client.js';
import type { SocketLike } from './live-source.js';

/** The socket for the board; `inboxAfter`: the last private event seq already shown, to resume after. */
export function connectSocket(url: string, token: string | undefined, inboxAfter?: number): SocketLike {
  // Presence: the board and the detail pane say how many are watching.
  return new SocketClient({ url, token, presence: true, ...(inboxAfter === undefined ? {} : { inboxAfter }) });
}
