// /v1/auctions: create (user), list and show (anyone), bid, buy and cancel.
import type { FastifyInstance } from 'fastify';
import { createAuctionBody, emptyBody, idParam, listAuctionsQuery, myBidsQuery } from '../../../protocol/schemas.js';
import { createAuction, getAuction, listAuctions, myBids } from '../../rules/auctions.js';
import { BID_ROUTE, placeBid } from '../../rules/place-bid.js';
import { buyNow, cancelAuction } from '../../rules/settle.js';
import type { DaemonContext } from '../../context.js';
import { answer, idempotencyKeyOf, idempotencyOf, parse, principalOf, requireUser } from '../request.js';

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

  // The same path as a bid frame on the socket (rules/place-bid.ts).
  app.post<{ Params: { id: string } }>(BID_ROUTE, async (req, reply) => {
    const me = await requireUser(ctx, req);
    const id = parse(idParam, req.params.id, 'auction id');
    const key = idempotencyKeyOf(req);
    return answer(reply, await placeBid(ctx, { bidderId: me.id, auction: id, body: req.body, key }));
  });

  // The caller's own bids: their maximum is theirs to see, so this needs their token.
  app.get('/v1/me/bids', async (req) => {
    const me = await requireUser(ctx, req);
    const q = parse(myBidsQuery, req.query, 'query');
    return myBids(ctx.sql, me.id, q);
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
