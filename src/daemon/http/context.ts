// What every route needs from the daemon, passed explicitly (no globals), so
// that several daemons can live in one process.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { nbError } from '../../protocol/errors.js';
import { describeIssues, idempotencyKey } from '../../protocol/schemas.js';
import { bearer, principalKey, type Authenticator, type Principal } from '../auth.js';
import type { Sql } from '../database.js';
import { requestHash, type IdempotencyContext } from '../idempotency.js';
import type { Metrics } from '../metrics.js';
import type { Outcome } from '../outcome.js';
import type { Publisher } from '../publisher.js';
import type { BidQueue } from '../rules/bid-queue.js';

export interface DaemonContext {
  sql: Sql;
  auth: Authenticator;
  bids: BidQueue;
  publisher: Publisher;
  metrics: Metrics;
  daemonId: string;
  version: string;
  /** True once shutdown has begun: new work is refused with SHUTTING_DOWN. */
  draining(): boolean;
}

/** Validates one input with a schema; failure is INVALID_INPUT naming the fields. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw nbError('INVALID_INPUT', `Invalid ${what}: ${describeIssues(r.error)}.`);
  return r.data;
}

// One authentication per request: the rate limiter and the route share it.
const principals = new WeakMap<FastifyRequest, Promise<Principal>>();

export function principalOf(ctx: DaemonContext, req: FastifyRequest): Promise<Principal> {
  let p = principals.get(req);
  if (!p) principals.set(req, (p = ctx.auth.authenticate(bearer(req.headers.authorization))));
  return p;
}

export async function requireUser(ctx: DaemonContext, req: FastifyRequest): Promise<Extract<Principal, { kind: 'user' }>> {
  const p = await principalOf(ctx, req);
  if (p.kind !== 'user') throw nbError('FORBIDDEN', 'This needs a user token, not the admin token.');
  return p;
}

export async function requireAdmin(ctx: DaemonContext, req: FastifyRequest): Promise<void> {
  const p = await principalOf(ctx, req);
  if (p.kind !== 'admin') throw nbError('FORBIDDEN', 'This needs the admin token.');
}

/** The caller's Idempotency-Key (validated) bound to this exact request. */
export function idempotencyOf(req: FastifyRequest, principal: Principal): IdempotencyContext {
  const raw = req.headers['idempotency-key'];
  const key = raw === undefined ? undefined : parse(idempotencyKey, Array.isArray(raw) ? raw.join(',') : raw, 'Idempotency-Key header');
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
