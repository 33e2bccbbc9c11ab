// /v1/auctions: create (user), list and show (anyone), bid, buy and cancel.
import type { FastifyInstance } from 'fastify';
import { bidBody, createAuctionBody, emptyBody, idParam, listAuctionsQuery } from '../../../protocol/schemas.js';
import { createAuction, getAuction, listAuctions } from '../../rules/auctions.js';
import { buyNow, cancelAuction } from '../../rules/settle.js';
import type { DaemonContext } from '../../context.js';
import { answer, idempotencyOf, parse, principalOf, requireUser } from '../request.js';

export function auctionRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.post('/v1/auctions', async (req, reply) => {
    const me = await requireUser(ctx, req);
    const body = parse(createAuctionBody, req.body, 'auction');
    return answer(reply, await createAuction(ctx.sql, me.id, body, idempotencyOf(req, me)));
  });

  app.get('/v1/auctions', async (req) => {
    const q = parse(listAuctionsQuery, req.query, 'query');
    const page = await listAuctions(ctx.sql, q);
    return { ...page, auctions: page.auctions.map((a) => ({ ...a, watching: ctx.watching(a.id) })) };
  });

  app.get<{ Params: { id: string } }>('/v1/auctions/:id', async (req) => {
    const id = parse(idParam, req.params.id, 'auction id');
    return { ...(await getAuction(ctx.sql, id)), watching: ctx.watching(id) };
  });

  app.post<{ Params: { id: string } }>('/v1/auctions/:id/bids', async (req, reply) => {
    const me = await requireUser(ctx, req);
    const id = parse(idParam, req.params.id, 'auction id');
    const { amount } = parse(bidBody, req.body, 'bid');
    const idem = idempotencyOf(req, me);
    const outcome = await ctx.bids.submit(id, { bidderId: me.id, amount, key: idem.key, hash: idem.hash });
    const code = (outcome.body as { error?: { code: string } }).error?.code;
    ctx.metrics.bids.inc({ result: code ?? 'accepted' });
    return answer(reply, outcome);
  });

  app.post<{ Params: { id: string } }>('/v1/auctions/:id/buy', async (req, reply) => {
    const me = await requireUser(ctx, req);
    const id = parse(idParam, req.params.id, 'auction id');
    parse(emptyBody, req.body, 'body');
    return answer(reply, await buyNow(ctx.sql, ctx.publisher, id, me.id, idempotencyOf(req, me)));
  });

  app.post<{ Params: { id: string } }>('/v1/auctions/:id/cancel', async (req, reply) => {
    const p = await principalOf(ctx, req);
    const id = parse(idParam, req.params.id, 'auction id');
    parse(emptyBody, req.body, 'body');
    const callerId = p.kind === 'admin' ? null : p.id;
    return answer(reply, await cancelAuction(ctx.sql, ctx.publisher, id, callerId, idempotencyOf(req, p)));
  });
}
