// `neighborbid auction create | list | show | cancel`.
import { nbError } from '../../protocol/errors.js';
import { incrementTableProblem, type IncrementStep } from '../../protocol/increments.js';
import type { CreateAuctionBody } from '../../protocol/schemas.js';
import type { AuctionStatus, BuyNowUntil } from '../../protocol/types.js';
import type { Context } from '../context.js';
import { namesOf } from '../names.js';
import { auctionBlock, auctionTable, bidTable, byId, NAME_MAX } from '../views.js';

interface CreateOptions {
  title: string;
  start: number;
  increment?: number;
  increments?: string;
  reserve?: number;
  buyNowUntil?: BuyNowUntil;
  duration?: number;
  endsAt?: string;
  buyNow?: number;
  softClose?: number;
  quiet?: boolean;
}

/** Creates an auction with the caller as seller. */
export async function createAuction(ctx: Context, opts: CreateOptions): Promise<void> {
  if (opts.duration === undefined && opts.endsAt === undefined) {
    throw nbError('INVALID_INPUT', { reason: 'auctionEnd' });
  }
  if ((opts.increment === undefined) === (opts.increments === undefined)) {
    throw nbError('INVALID_INPUT', { reason: 'incrementChoice' });
  }
  const body: CreateAuctionBody = {
    title: opts.title,
    startPrice: opts.start,
    ...(opts.increments !== undefined ? { increments: incrementsOption(opts.increments) } : { minIncrement: opts.increment! }),
    ...(opts.duration !== undefined ? { durationSec: opts.duration } : { endsAt: opts.endsAt }),
    ...(opts.reserve !== undefined && { reservePrice: opts.reserve }),
    ...(opts.buyNow !== undefined && { buyNowPrice: opts.buyNow }),
    ...(opts.buyNowUntil !== undefined && { buyNowUntil: opts.buyNowUntil }),
    ...(opts.softClose !== undefined && { softCloseSec: opts.softClose }),
  };
  const auction = await ctx.user().createAuction(body);
  // The seller is the caller: no name to look up.
  const who = (id: number | null) => (id === auction.sellerId ? 'you' : byId(id));
  ctx.print(auction, () =>
    opts.quiet ? String(auction.id) : `${ctx.paint('bold', `Created auction ${auction.id}.`)}\n${auctionBlock(auction, ctx.paint, Date.now(), who)}`,
  );
}

/** `standard`, or a JSON table checked here as the daemon would, so a typo is a usage error before anything is sent. */
function incrementsOption(text: string): 'standard' | IncrementStep[] {
  if (text === 'standard') return 'standard';
  let table: unknown;
  try {
    table = JSON.parse(text);
  } catch {
    table = undefined;
  }
  const problem = incrementTableProblem(table);
  if (problem !== null) throw nbError('INVALID_INPUT', { reason: 'incrementsTable', problem });
  return table as IncrementStep[];
}

/** Lists auctions by status, one page. */
export async function listAuctions(
  ctx: Context,
  opts: { status: AuctionStatus | 'all'; limit?: number; cursor?: string },
): Promise<void> {
  const page = await ctx.anonymous().listAuctions(opts);
  const who = await namesOf(ctx, page.auctions.map((a) => a.leaderId), NAME_MAX);
  ctx.print(page, () => {
    if (page.auctions.length === 0) return `No ${opts.status === 'all' ? '' : `${opts.status} `}auctions.`;
    const more = page.nextCursor
      ? `\n${ctx.paint('dim', `More: neighborbid auction list --status ${opts.status} --cursor ${page.nextCursor}`)}`
      : '';
    return auctionTable(page.auctions, ctx.paint, Date.now(), who) + more;
  });
}

/** Shows one auction with its most recent bids. */
export async function showAuction(ctx: Context, id: number): Promise<void> {
  const auction = await ctx.anonymous().auction(id);
  const who = await namesOf(ctx, [auction.sellerId, auction.leaderId, ...auction.recentBids.map((b) => b.bidderId)]);
  ctx.print(auction, () => {
    const bids = auction.recentBids.length
      ? `\n\n${ctx.paint('bold', 'Recent bids')}\n${bidTable(auction.recentBids, ctx.paint, who)}`
      : '';
    return auctionBlock(auction, ctx.paint, Date.now(), who) + bids;
  });
}

/** Cancels an open auction, as its seller or (with --admin) as the admin. */
export async function cancelAuction(ctx: Context, id: number, opts: { admin?: boolean }): Promise<void> {
  const client = opts.admin ? ctx.admin() : ctx.user();
  const { auction } = await client.cancel(id);
  ctx.print({ auction }, () => `Cancelled auction ${auction.id} "${auction.title}".`);
}
