// Connections per peer address, so one client cannot take every file
// descriptor or socket of the daemon. Plain HTTP connections and WebSockets are
// counted apart: a watcher's socket is long-lived by design, a request's
// connection is not. A connection over the HTTP limit is not dropped unread: its
// requests are answered TOO_MANY_CONNECTIONS in the usual error shape and the
// connection is closed; an upgrade over the WebSocket limit is refused the same way.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { nbError, type NbError } from '../protocol/errors.js';

export interface PeerLimitOptions {
  /** Plain HTTP connections open at once from one address; 0 means no limit. */
  maxConnectionsPerIp: number;
  /** WebSockets open at once from one address; 0 means no limit. */
  maxSocketsPerIp: number;
}

/** How long a connection over the limit may stay without sending a request. */
const OVER_LIMIT_GRACE_MS = 5000;

type Kind = 'http' | 'socket';

export class PeerLimits {
  private readonly counts = { http: new Map<string, number>(), socket: new Map<string, number>() };
  /** What each admitted connection is counted as, and under which address (gone once it closes). */
  private readonly counted = new WeakMap<Socket, { kind: Kind; ip: string }>();
  private readonly over = new WeakSet<Socket>();

  constructor(readonly options: PeerLimitOptions) {}

  /** Counts every connection the server accepts. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.connected(socket));
  }

  /** Open connections of one kind from an address. */
  open(kind: Kind, ip: string): number {
    return this.counts[kind].get(ip) ?? 0;
  }

  /** The refusal for a plain request on a connection that came in over the limit. */
  refusal(socket: Socket): NbError | undefined {
    if (!this.over.has(socket)) return undefined;
    const max = this.options.maxConnectionsPerIp;
    return nbError('TOO_MANY_CONNECTIONS', { reason: 'http', limit: max });
  }

  /**
   * Admits an upgraded connection as a WebSocket (it stops counting as an HTTP
   * connection), or returns the refusal when its address has too many.
   */
  admitSocket(socket: Socket): NbError | undefined {
    const ip = socket.remoteAddress ?? 'unknown';
    const max = this.options.maxSocketsPerIp;
    if (max > 0 && this.open('socket', ip) >= max) {
      return nbError('TOO_MANY_CONNECTIONS', { reason: 'sockets', limit: max });
    }
    this.over.delete(socket);
    this.uncount(socket);
    this.count(socket, 'socket', ip);
    return undefined;
  }

  private connected(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    socket.once('close', () => this.uncount(socket));
    const max = this.options.maxConnectionsPerIp;
    if (max > 0 && this.open('http', ip) >= max) {
      // Not counted: it may only be refused, or become a WebSocket.
      this.over.add(socket);
      const timer = setTimeout(() => {
        if (this.over.has(socket)) socket.destroy();
      }, OVER_LIMIT_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    this.count(socket, 'http', ip);
  }

  private count(socket: Socket, kind: Kind, ip: string): void {
    const map = this.counts[kind];
    map.set(ip, (map.get(ip) ?? 0) + 1);
    this.counted.set(socket, { kind, ip });
  }

  private uncount(socket: Socket): void {
    const entry = this.counted.get(socket);
    if (!entry) return;
    this.counted.delete(socket);
    const map = this.counts[entry.kind];
    const n = (map.get(entry.ip) ?? 1) - 1;
    if (n > 0) map.set(entry.ip, n);
    else map.delete(entry.ip);
  }
}
