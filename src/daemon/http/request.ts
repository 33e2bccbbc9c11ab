// What a route does with a request: validate it, authenticate its caller, bind
// its Idempotency-Key, and send a rule's outcome as the answer.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { nbError } from '../../protocol/errors.js';
import { idempotencyKey, parseInput } from '../../protocol/schemas.js';
import { bearer, principalKey, type Principal } from '../auth.js';
import type { DaemonContext } from '../context.js';
import { requestHash, type IdempotencyContext } from '../rules/idempotency.js';
import type { Outcome } from '../rules/outcome.js';

/** Validates one input with a schema; failure is INVALID_INPUT naming the fields. */
export const parse = parseInput;

// One authentication per request: the rate limiter and the route share it.
const principals = new WeakMap<FastifyRequest, Promise<Principal>>();

export function principalOf(ctx: DaemonContext, req: FastifyRequest): Promise<Principal> {
  let p = principals.get(req);
  if (!p) principals.set(req, (p = ctx.auth.authenticate(bearer(req.headers.authorization))));
  return p;
}

export async function requireUser(ctx: DaemonContext, req: FastifyRequest): Promise<Extract<Principal, { kind: 'user' }>> {
  const p = await principalOf(ctx, req);
  if (p.kind !== 'user') throw nbError('FORBIDDEN', { reason: 'needsUser' });
  return p;
}

export async function requireAdmin(ctx: DaemonContext, req: FastifyRequest): Promise<void> {
  const p = await principalOf(ctx, req);
  if (p.kind !== 'admin') throw nbError('FORBIDDEN', { reason: 'needsAdmin' });
}

/** The request's Idempotency-Key header, validated; undefined without one. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['idempotency-key'];
  return raw === undefined ? undefined : parse(idempotencyKey, Array.isArray(raw) ? raw.join(',') : raw, 'Idempotency-Key header');
}

/** The caller's Idempotency-Key (validated) bound to this exact request. */
export function idempotencyOf(req: FastifyRequest, principal: Principal): IdempotencyContext {
  const key = idempotencyKeyOf(req);
  return {
    principal: principalKey(principal),
    key,
    // Only a key is ever compared with the hash; without one, skip the work (it is on every bid).
    hash: key === undefined ? '' : requestHash(req.method, req.routeOptions.url ?? req.url, { params: req.params, body: req.body ?? {} }),
  };
}

/** Sends a rule's outcome as the HTTP answer. */
export function answer(reply: FastifyReply, o: Outcome): FastifyReply {
  if (o.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(o.status).send(o.body);
}
