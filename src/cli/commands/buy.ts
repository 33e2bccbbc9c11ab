// `neighborbid buy AUCTION`: buy now, safe to retry.
import { formatMoney } from '../../format/money.js';
import type { Context } from '../context.js';
import { idempotencyKeyFor, unsettled, withRetries } from '../retry.js';

/** Buys the auction at its buy-now price. */
export async function buy(ctx: Context, auctionId: number, opts: { idempotencyKey?: string }): Promise<void> {
  const client = ctx.user();
  const key = idempotencyKeyFor(opts.idempotencyKey);
  try {
    const result = await withRetries(() => client.buy(auctionId, { idempotencyKey: key }), {
      onRetry: (err, n) => ctx.verbose && ctx.note(`${err.code}; sending the purchase again with the same key (retry ${n})`),
    });
    const a = result.auction;
    ctx.print(result, () => `Bought auction ${a.id} "${a.title}" for ${formatMoney(a.currentPrice)}.`);
  } catch (err) {
    throw unsettled(err, key, 'purchase');
  }
}
