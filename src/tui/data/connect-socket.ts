// The one place the TUI makes its socket: the shared client from src/client,
// which reconnects with backoff and resumes every auction from its last version.
import { SocketClient } from '../../client/socket-client.js';
import type { SocketLike } from './live-source.js';

export function connectSocket(url: string, token: string | undefined): SocketLike {
  return new SocketClient({ url, token });
}
