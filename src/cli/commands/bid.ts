// `neighborbid bid AUCTION AMOUNT | --min | --max N`: one bid, safe to retry.
import { nbError } from '../../protocol/errors.js';
import { formatMoney } from '../../format/money.js';
import type { BidResult } from '../../protocol/types.js';
import type { Context } from '../context.js';
import { relativeTime } from '../output.js';
import { idempotencyKeyFor, unsettled, withRetries } from '../retry.js';

/** Places a bid: an amount, the auction's minimum next bid (--min), or a maximum (--max) the auction bids up to for you. */
export async function bid(
  ctx: Context,
  auctionId: number,
  amount: number | undefined,
  opts: { min?: boolean; max?: number; idempotencyKey?: string },
): Promise<void> {
  if ([amount !== undefined, opts.min === true, opts.max !== undefined].filter(Boolean).length !== 1) {
    throw nbError('INVALID_INPUT', { reason: 'bidAmount' });
  }
  const client = ctx.user();
  const max = opts.max;
  // The amount is fixed before the first attempt, so every retry sends the same request.
  const value = max ?? amount ?? (await minimumBid(ctx, auctionId));
  const key = idempotencyKeyFor(opts.idempotencyKey);
  try {
    const result = await withRetries(
      () => (max !== undefined ? client.bidMax(auctionId, max, { idempotencyKey: key }) : client.bid(auctionId, value, { idempotencyKey: key })),
      { onRetry: (err, n) => ctx.verbose && ctx.note(`${err.code}; sending the bid again with the same key (retry ${n})`) },
    );
    // Whoever leads instead of a plain bidder, by name as the rest of the CLI writes users (one
    // lookup; none with --json). Loaded only then: other lines name nobody, and bid starts lean.
    const leaderId = result.auction.leaderId;
    const named = max === undefined && !result.leading && !ctx.json;
    const leader = named ? (await (await import('../names.js')).namesOf(ctx, [leaderId]))(leaderId) : null;
    ctx.print(result, () => (max !== undefined ? maxSentence(result, max) : plainSentence(result, leader)));
  } catch (err) {
    throw unsettled(err, key, 'bid');
  }
}

/** The bid's line; `leader` names whoever leads when the bidder does not. */
function plainSentence({ bid: placed, bids, auction: a, leading }: BidResult, leader: string | null): string {
  const answered = !leading && bids.at(-1)?.automatic === true ? ' (a maximum answered your bid at once)' : '';
  return (
    (placed === null ? `Auction ${a.id} "${a.title}": price ${formatMoney(a.currentPrice)}. ` : `Bid ${placed.id}: ${formatMoney(placed.amount)} on auction ${a.id} "${a.title}". `) +
    `${leading ? 'You lead' : `The leader is ${leader}${answered}`}; ` +
    `the next bid must be at least ${formatMoney(a.minNextBid)}; it ends ${relativeTime(a.endsAt)}.`
  );
}

/** Whether the maximum leads, the price, and the caller's own maximum; never another bidder's. */
function maxSentence({ auction: a, leading, yourMax }: BidResult, max: number): string {
  const head = `Maximum ${formatMoney(yourMax ?? max)} on auction ${a.id} "${a.title}": `;
  const reserve = a.hasReserve && !a.reserveMet ? '; the reserve is not met yet' : '';
  const state = leading
    ? `you lead at ${formatMoney(a.currentPrice)}, your max ${formatMoney(yourMax ?? max)}${reserve}; it bids for you up to that`
    : `you are outbid: another maximum answered, the price is ${formatMoney(a.currentPrice)}; the next bid must be at least ${formatMoney(a.minNextBid)}`;
  return `${head}${state}; it ends ${relativeTime(a.endsAt)}.`;
}

async function minimumBid(ctx: Context, auctionId: number): Promise<number> {
  const auction = await ctx.anonymous().auction(auctionId);
  if (auction.minNextBid === null) {
    throw nbError('AUCTION_CLOSED', { status: auction.status });
  }
  return auction.minNextBid;
}
