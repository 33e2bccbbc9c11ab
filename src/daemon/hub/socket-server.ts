// The WebSocket edge: upgrades GET /v1/ws on the daemon's HTTP server (token in
// the Authorization header or ?token=), pings every socket on a heartbeat and
// drops those that missed the previous pong, and on shutdown closes every
// socket as SHUTTING_DOWN (going away) so clients reconnect, here or to another daemon.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeCodeOf, nbError } from '../../protocol/errors.js';
import { BATCH_PARAM, WS_PATH, type SocketLimits } from '../../protocol/frames.js';
import { bearer, type Authenticator } from '../auth.js';
import { toNbError } from '../db/database.js';
import { refuseSocket } from '../raw-error-response.js';
import type { PeerLimits } from '../peer-limits.js';
import type { SocketMetrics } from '../metrics.js';
import type { Hub } from './hub.js';

export interface SocketServerOptions {
  hub: Hub;
  auth: Authenticator;
  limits: SocketLimits;
  metrics: SocketMetrics;
  log: Logger;
  /** True once the daemon is stopping: upgrades are refused. */
  draining(): boolean;
  /** WebSockets per peer address; an upgrade over the limit is refused with TOO_MANY_CONNECTIONS. */
  peers?: PeerLimits | undefined;
}

export interface SocketServer {
  /** Closes every socket as SHUTTING_DOWN ("going away") and waits (briefly) for them to go. */
  close(): Promise<void>;
}

/** Answers a plain GET /v1/ws (no Upgrade) with a sentence instead of a 404. */
export function registerSocketRoute(app: FastifyInstance): void {
  app.get(WS_PATH, async () => {
    throw nbError('INVALID_INPUT', { reason: 'needsUpgrade' });
  });
}

/** Starts answering WebSocket upgrades on `server`. */
export function attachSocketServer(server: Server, o: SocketServerOptions): SocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: o.limits.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  // A malformed handshake (method, Upgrade, key or version) is refused in the error shape, not ws's plain text.
  wss.on('wsClientError', (err: Error, socket: Duplex) => refuseSocket(socket, nbError('INVALID_INPUT', { reason: 'handshake', problem: err.message })));
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(req, socket, head);
  server.on('upgrade', onUpgrade);

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== WS_PATH) return refuseSocket(socket, nbError('NOT_FOUND', { path: path || '/', use: WS_PATH }));
    if (o.draining()) return refuseSocket(socket, nbError('SHUTTING_DOWN'));
    const token = bearer(req.headers.authorization) ?? url.searchParams.get('token') ?? undefined;
    let userId: number | null = null;
    let admin = false;
    if (token !== undefined) {
      try {
        const p = await o.auth.authenticate(token);
        userId = p.kind === 'user' ? p.id : null;
        admin = p.kind === 'admin';
      } catch (err) {
        return refuseSocket(socket, toNbError(err));
      }
    }
    if (socket.destroyed) return;
    const crowded = o.peers?.admitSocket(socket as Socket);
    if (crowded) return refuseSocket(socket, crowded);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (o.draining()) ws.close(closeCodeOf('SHUTTING_DOWN'), 'SHUTTING_DOWN');
      else o.hub.accept(ws, userId, socket, { admin, batch: url.searchParams.get(BATCH_PARAM) === '1' });
    });
  }

  const heartbeat = setInterval(() => {
    for (const conn of o.hub.sockets()) {
      if (!conn.alive) {
        o.metrics.heartbeatDrops.inc();
        conn.terminate();
      } else {
        conn.alive = false;
        conn.ws.ping();
      }
    }
  }, o.limits.heartbeatMs);
  heartbeat.unref();

  return {
    async close() {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      // Bids already taken on a socket get their replies first (new ones are
      // answered SHUTTING_DOWN while draining), for a second, so the sockets are
      // still closed within the shutdown's mark for them; a bid slower than
      // that is retried by its client with its key.
      const deadline = Date.now() + 1000;
      while (o.hub.sockets().some((c) => c.bidsInFlight > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const sockets = o.hub.sockets().map((c) => c.ws);
      o.hub.closeAll(nbError('SHUTTING_DOWN'));
      const gone = sockets.map((ws) =>
        ws.readyState === ws.CLOSED ? Promise.resolve() : new Promise<void>((r) => ws.once('close', () => r())),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(gone), new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}
