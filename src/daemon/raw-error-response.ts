// An error answer written straight to a socket, for connections that never
// reach Fastify's replies (broken HTTP, refused WebSocket upgrades, peers over
// their limit): the same {"error":{…}} shape every route answers with.
import { STATUS_CODES } from 'node:http';
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
