// The HTTP edge's one translation of errors: every failure leaves as
// {"error":{"code","message",…}} with its code's status. Never a stack trace.
import type { FastifyError, FastifyInstance } from 'fastify';
import { nbError, NbError } from '../../protocol/errors.js';
import { toNbError } from '../database.js';

function translate(err: FastifyError | Error): NbError {
  if (err instanceof NbError) return err;
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return nbError('PAYLOAD_TOO_LARGE');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return nbError('INVALID_INPUT', 'Send the body as application/json.');
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return nbError('INVALID_INPUT', 'The JSON body is empty.');
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    return nbError('INVALID_INPUT', 'The body is not valid JSON.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return fe.statusCode === 413 ? nbError('PAYLOAD_TOO_LARGE') : nbError('INVALID_INPUT', fe.message);
  }
  return toNbError(err);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const e = translate(err as Error);
    if (e.code === 'INTERNAL') req.log.error({ err }, 'unexpected error');
    else if (e.code === 'UNAVAILABLE') req.log.warn({ err: String(err) }, 'database unavailable');
    if (e.retryable) reply.header('retry-after', '1');
    return reply.code(e.status).send({ error: e.toBody() });
  });
  app.setNotFoundHandler((req, reply) => {
    const e = nbError('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}.`);
    return reply.code(e.status).send({ error: e.toBody() });
  });
}
