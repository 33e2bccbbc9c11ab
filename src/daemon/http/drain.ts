// Draining the HTTP edge on shutdown. Every request the daemon has read gets
// an answer — its result, or 503 SHUTTING_DOWN — and every answer from then
// on says `Connection: close`, so a keep-alive connection closes after its
// current answer instead of being cut while its next request is on the way.
// What cannot be waited for is bounded: at the shutdown bound every socket
// still open (headers or a body that never end, a peer that never closes, a
// WebSocket that never reads) is destroyed, and the requests cut are counted.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface HttpDrain {
  /** Requests read (headers parsed) and not yet answered. */
  readonly inFlight: number;
  /** Resolves once no plain HTTP connection is open, or at `deadline` (epoch ms). */
  settle(deadline: number): Promise<void>;
  /**
   * Destroys every plain connection with no request in flight: idle keep-alive
   * ones, and those whose request never got as far as its last header.
   */
  closeIdle(): void;
  /** Destroys every connection still open, upgraded ones included; returns the requests it cut. */
  destroyAll(): number;
}

/** Tracks the connections and requests of an app's server; call before listen. */
export function drainable(app: FastifyInstance, draining: () => boolean): HttpDrain {
  const sockets = new Set<Socket>();
  const upgraded = new WeakSet<Socket>();
  /** Requests in flight per connection (pipelining can make it more than one). */
  const busy = new WeakMap<Socket, number>();
  let inFlight = 0;
  const server = app.server;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Node hands an upgraded (or CONNECT) socket over for good; it no longer carries requests.
  for (const event of ['upgrade', 'connect']) server.on(event, (_req: unknown, socket: Socket) => upgraded.add(socket));
  server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight++;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      inFlight--;
      busy.set(socket, (busy.get(socket) ?? 1) - 1);
    });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (draining()) reply.header('connection', 'close');
    return payload;
  });
  return {
    get inFlight() {
      return inFlight;
    },
    async settle(deadline) {
      const plain = () => [...sockets].some((s) => !upgraded.has(s));
      while (plain() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    },
    closeIdle() {
      for (const socket of sockets) if (!upgraded.has(socket) && !busy.get(socket)) socket.destroy();
    },
    destroyAll() {
      const cut = inFlight;
      for (const socket of sockets) socket.destroy();
      return cut;
    },
  };
}
