// `neighborbid bid AUCTION AMOUNT | --min`: one bid, safe to retry.
import { nbError } from '../../protocol/errors.js';
import { formatMoney } from '../../format/money.js';
import type { Context } from '../context.js';
import { relativeTime } from '../output.js';
import { idempotencyKeyFor, unsettled, withRetries } from '../retry.js';

/** Places a bid; with --min, the auction's minimum next bid. */
export async function bid(
  ctx: Context,
  auctionId: number,
  amount: number | undefined,
  opts: { min?: boolean; idempotencyKey?: string },
): Promise<void> {
  if ((amount === undefined) === !opts.min) {
    throw nbError('INVALID_INPUT', { reason: 'bidAmount' });
  }
  const client = ctx.user();
  // The amount is fixed before the first attempt, so every retry sends the same request.
  const value = amount ?? (await minimumBid(ctx, auctionId));
  const key = idempotencyKeyFor(opts.idempotencyKey);
  try {
    const result = await withRetries(() => client.bid(auctionId, value, { idempotencyKey: key }), {
      onRetry: (err, n) => ctx.verbose && ctx.note(`${err.code}; sending the bid again with the same key (retry ${n})`),
    });
    const { bid: placed, auction: a } = result;
    ctx.print(
      result,
      () =>
        `Bid ${placed.id}: ${formatMoney(placed.amount)} on auction ${a.id} "${a.title}". ` +
        `${a.leaderId === placed.bidderId ? 'You lead' : `User ${a.leaderId} leads`}; ` +
        `the next bid must be at least ${formatMoney(a.minNextBid)}; it ends ${relativeTime(a.endsAt)}.`,
    );
  } catch (err) {
    throw unsettled(err, key, 'bid');
  }
}

async function minimumBid(ctx: Context, auctionId: number): Promise<number> {
  const auction = await ctx.anonymous().auction(auctionId);
  if (auction.minNextBid === null) {
    throw nbError('AUCTION_CLOSED', { status: auction.status });
  }
  return auction.minNextBid;
}
