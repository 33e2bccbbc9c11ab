// `neighborbid bids`: the auctions you have bid on, as you see them.
import { formatMoney } from '../../format/money.js';
import { truncate } from '../../format/text.js';
import type { MyBid } from '../../protocol/types.js';
import type { Context } from '../context.js';
import { relativeTime, type Paint } from '../output.js';
import { table } from '../tables.js';

/** Lists the caller's auctions from GET /v1/me/bids: their maximum, the price, leading or outbid, and when it ends. */
export async function myBids(ctx: Context, opts: { all?: boolean; limit?: number }): Promise<void> {
  const page = await ctx.user().myBids({ status: opts.all ? 'all' : 'open', ...(opts.limit !== undefined && { limit: opts.limit }) });
  ctx.print(page, () =>
    page.bids.length === 0 ? `No ${opts.all ? '' : 'open '}auctions with a bid of yours.` : myBidTable(page.bids, ctx.paint, Date.now()),
  );
}

/**
 * leading / outbid while open (with "reserve not met": after a bid, reserveMet
 * is false only below a reserve); won / lost once it ended; the status for the rest.
 */
function standing(b: MyBid): string {
  if (b.status === 'open') return `${b.leading ? 'leading' : 'outbid'}${b.reserveMet ? '' : ', reserve not met'}`;
  if (b.status === 'closed' || b.status === 'sold') return b.leading ? 'won' : 'lost';
  return b.status;
}

/** One row per auction, in the order given. */
export function myBidTable(bids: readonly MyBid[], paint: Paint, now = Date.now()): string {
  return table(
    bids,
    [
      { header: 'ID', align: 'right', value: (b) => String(b.auctionId) },
      { header: 'TITLE', value: (b) => truncate(b.title, 40) },
      { header: 'YOUR MAX', align: 'right', value: (b) => formatMoney(b.yourMax) },
      { header: 'PRICE', align: 'right', value: (b) => formatMoney(b.currentPrice) },
      { header: 'STANDING', value: standing, style: (b) => (b.leading ? 'green' : b.status === 'open' ? 'red' : 'dim') },
      { header: 'ENDS', value: (b) => (b.status === 'open' ? relativeTime(b.endsAt, now) : b.status) },
    ],
    paint,
  );
}
