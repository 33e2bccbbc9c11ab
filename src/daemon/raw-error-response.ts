// An error answer written straight to a socket, for connections that never
// reach Fastify's replies (broken HTTP, refused WebSocket upgrades, peers over
// their limit): the same {"error":{…}} shape every route answers with.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NbError } from '../protocol/errors.js';

/** A whole HTTP error response in the shape of every route, for sockets that never reach Fastify's replies. */
export function rawErrorResponse(e: NbError): string {
  const body = JSON.stringify({ error: e.toBody() });
  return (
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    (e.retryable ? 'Retry-After: 1\r\n' : '') +
    `Connection: close\r\n\r\n${body}`
  );
}

/** How long a refused peer has to read its answer and close before its socket is destroyed. */
const REFUSED_LINGER_MS = 2000;

/**
 * Answers a socket Node handed over (a refused upgrade, a CONNECT) and ends
 * it. A peer that never closes its side would keep the socket half-open for
 * ever, and with it any shutdown; it is destroyed after a short linger.
 */
export function refuseSocket(socket: Duplex, e: NbError): void {
  if (socket.destroyed) return;
  socket.on('error', () => {});
  socket.end(rawErrorResponse(e));
  const timer = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
