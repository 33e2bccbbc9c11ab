// /v1/users: making users and money (admin), names (anyone); /v1/me (user).
import type { FastifyInstance } from 'fastify';
import { inboxQuery } from '../../../protocol/inbox.js';
import { createUserBody, depositBody, emptyBody, idParam, userIdsQuery } from '../../../protocol/schemas.js';
import { readInbox } from '../../rules/inbox.js';
import { createUser, deposit, getMe, getUserName, getUserNames, rotateToken } from '../../rules/users.js';
import type { DaemonContext } from '../../context.js';
import { answer, idempotencyOf, parse, principalOf, requireAdmin, requireUser } from '../request.js';

export function userRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.post('/v1/users', async (req, reply) => {
    await requireAdmin(ctx, req);
    const body = parse(createUserBody, req.body, 'user');
    return answer(reply, await createUser(ctx.sql, body, idempotencyOf(req, { kind: 'admin' })));
  });

  app.post<{ Params: { id: string } }>('/v1/users/:id/deposits', async (req, reply) => {
    await requireAdmin(ctx, req);
    const id = parse(idParam, req.params.id, 'user id');
    const body = parse(depositBody, req.body, 'deposit');
    return answer(reply, await deposit(ctx.sql, ctx.publisher, id, body.amount, idempotencyOf(req, { kind: 'admin' })));
  });

  app.post<{ Params: { id: string } }>('/v1/users/:id/token', async (req, reply) => {
    await requireAdmin(ctx, req);
    const id = parse(idParam, req.params.id, 'user id');
    parse(emptyBody, req.body, 'body');
    const outcome = await rotateToken(ctx.sql, id);
    ctx.auth.forgetUser(id);
    return answer(reply, outcome);
  });

  // Names are public, as on any auction site: watchers see who leads. Balances are not (see /v1/me).
  app.get<{ Params: { id: string } }>('/v1/users/:id', async (req) => {
    const id = parse(idParam, req.params.id, 'user id');
    return getUserName(ctx.sql, id);
  });

  // Many names in one request, so that a screen full of bidders is one round trip.
  app.get('/v1/users', async (req) => {
    const { ids } = parse(userIdsQuery, req.query, 'query');
    return getUserNames(ctx.sql, ids);
  });

  app.get('/v1/me', async (req) => {
    const me = await requireUser(ctx, req);
    return getMe(ctx.sql, me.id);
  });

  // The caller's private events after a position: what happened while they were away.
  app.get('/v1/me/events', async (req) => {
    const me = await requireUser(ctx, req);
    const { after, limit } = parse(inboxQuery, req.query, 'query');
    return readInbox(ctx.sql, me.id, after, limit);
  });

  // Who am I, for any token (the admin too): lets tools check a token cheaply.
  app.get('/v1/whoami', async (req) => {
    const p = await principalOf(ctx, req);
    return p.kind === 'admin' ? { kind: 'admin' } : { kind: 'user', id: p.id, name: p.name };
  });
}
