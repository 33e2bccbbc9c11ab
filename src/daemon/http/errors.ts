// The HTTP edge's one translation of errors: every failure leaves as
// {"error":{"code","message",…}} with its code's status. Never a stack trace.
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nbError, NbError } from '../../protocol/errors.js';
import { toNbError } from '../db/database.js';
import { errorFields } from '../log-fields.js';
import { rawErrorResponse, refuseSocket } from '../raw-error-response.js';
import { rulesOutdatedLine } from '../rules/install.js';

/** How often an outdated daemon says so in its log (every request would drown it). */
const OUTDATED_LOG_MS = 60_000;
const outdatedLogged = new WeakMap<object, number>();

function translate(err: FastifyError | Error): NbError {
  if (err instanceof NbError) return err;
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return nbError('INVALID_INPUT', { reason: 'mediaType' });
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return nbError('INVALID_INPUT', { reason: 'emptyBody' });
  if (fe.code === 'FST_ERR_BAD_URL') return nbError('INVALID_INPUT', { reason: 'url' });
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') return nbError('INVALID_INPUT', { reason: 'urlPartTooLong' });
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    return nbError('INVALID_INPUT', { reason: 'json' });
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return fe.statusCode === 413 ? nbError('PAYLOAD_TOO_LARGE') : nbError('INVALID_INPUT', { reason: 'request', problem: fe.message });
  }
  return toNbError(err);
}

/** Answers any failure as {"error":{…}}; also Fastify's `frameworkErrors` (bad URLs before routing). */
export function sendError(err: Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = translate(err);
  if (e.code === 'INTERNAL') req.log.error({ err: e.cause ?? err, method: req.method, url: req.url }, 'unexpected error');
  else if (e.code === 'UNAVAILABLE' && e.details.reason === 'rules') {
    const last = outdatedLogged.get(req.server) ?? -Infinity;
    if (Date.now() - last >= OUTDATED_LOG_MS) {
      outdatedLogged.set(req.server, Date.now());
      req.log.error({ detail: rulesOutdatedLine(e) }, 'rules outdated');
    }
  } else if (e.code === 'UNAVAILABLE') req.log.warn({ ...errorFields(req.log, err), method: req.method, url: req.url }, 'database unavailable');
  // A limiter that knows when its window ends has set Retry-After already.
  if (e.retryable && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  return reply.code(e.status).send({ error: e.toBody() });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => sendError(err as Error, req, reply));
  app.setNotFoundHandler((req, reply) => sendError(nbError('NOT_FOUND', { route: `${req.method} ${req.url.split('?')[0]}` }), req, reply));
}

/**
 * Fastify's `clientErrorHandler`: a request too broken for HTTP parsing (bad
 * syntax, headers over Node's 16 KiB) gets the same error shape, then the
 * connection is closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // Bytes after an answer already on its way (e.g. the unread body of a refused
  // request) are no new request: a second answer would corrupt the first.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? nbError('PAYLOAD_TOO_LARGE', { reason: 'headers' })
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? nbError('INVALID_INPUT', { reason: 'requestTimeout' })
        : nbError('INVALID_INPUT', { reason: 'notHttp' });
  if (socket.writable) socket.write(rawErrorResponse(e));
  socket.destroy();
}

/**
 * The server's 'connect' listener: a CONNECT request (a proxy tunnel) is not
 * for this API. Node hands it to this event instead of the request handler,
 * and with no listener it drops the connection without a word.
 */
export function refuseConnect(_req: unknown, socket: Duplex): void {
  refuseSocket(socket, nbError('INVALID_INPUT', { reason: 'connectMethod' }));
}
