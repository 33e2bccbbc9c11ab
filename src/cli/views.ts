// How auctions, bids and balances look to people. Money always with thousands
// separators; times in UTC with a relative hint.
import type { NameBook } from '../client/name-cache.js';
import { formatDuration } from '../format/duration.js';
import { formatMoney } from '../format/money.js';
import { plural, truncate } from '../format/text.js';
import type { Auction, AuctionStatus, Bid, BuyNowUntil, IncrementStep, Me } from '../protocol/types.js';
import { formatTime, relativeTime, type Paint, type Style } from './output.js';
import { keyValues, table } from './tables.js';

const STATUS_STYLE: Record<AuctionStatus, Style> = {
  open: 'green',
  sold: 'cyan',
  closed: 'blue',
  unsold: 'dim',
  cancelled: 'dim',
};

export function statusStyle(status: AuctionStatus): Style {
  return STATUS_STYLE[status];
}

/** How a view writes a user for people; a dash for nobody. */
export type Who = (id: number | null) => string;

/** Users by id: `user 4`. */
export const byId: Who = (id) => (id === null ? '—' : `user ${id}`);

/** Longest name in a table column or an event line; longer ones end with an ellipsis. */
export const NAME_MAX = 24;

/** Users by name (at most `max` characters) where known, `you` for the token's user, else by id. */
export function byName(names: NameBook, me: number | null = null, max = Infinity): Who {
  return (id) => (id === null ? '—' : id === me ? 'you' : (names.name(id, max) ?? byId(id)));
}

/** Every field of an auction as aligned lines, under a title line. */
export function auctionBlock(a: Auction, paint: Paint, now = Date.now(), user: Who = byId): string {
  const price =
    a.currentPrice === null
      ? 'no bids yet'
      : `${formatMoney(a.currentPrice)} (${a.status === 'sold' ? 'bought by' : 'leader'} ${user(a.leaderId)}, ${plural(a.bidCount, 'bid')})`;
  const pairs: [string, string][] = [
    ['status', paint(statusStyle(a.status), a.status) + (a.unsoldReason === 'reserve_not_met' ? ' (below its reserve)' : '')],
    ['seller', user(a.sellerId)],
    ['price', price],
    ['next minimum', formatMoney(a.minNextBid)],
    ['start price', formatMoney(a.startPrice)],
    ['increment', a.minIncrement !== null ? formatMoney(a.minIncrement) : incrementsText(a.increments)],
    ['reserve', !a.hasReserve ? 'none' : a.reserveMet ? 'met' : 'not met'],
    ['buy now', buyNowText(a)],
    ['soft close', a.softCloseSec === null ? '—' : formatDuration(a.softCloseSec)],
    ['ends', `${formatTime(a.endsAt)} (${relativeTime(a.endsAt, now)})`],
    ['created', formatTime(a.createdAt)],
    ['version', String(a.version)],
  ];
  return `${paint('bold', `Auction ${a.id}: ${a.title}`)}\n${keyValues(pairs, paint)}`;
}

/** A table of increments: `5 from 0, 25 from 100, 50 from 500`. */
export function incrementsText(table: readonly IncrementStep[]): string {
  return table.map((r) => `${formatMoney(r.step)} from ${formatMoney(r.from)}`).join(', ');
}

const BUY_NOW_UNTIL: Record<BuyNowUntil, string> = {
  price: 'until bidding reaches it',
  firstBid: 'until the first bid',
  reserveMet: 'until the reserve is met',
};

/** `2,000, until the first bid: available` or `… gone`; a dash without a buy-now price. */
export function buyNowText(a: Pick<Auction, 'buyNowPrice' | 'buyNowUntil' | 'buyNowAvailable'>): string {
  if (a.buyNowPrice === null) return '—';
  return `${formatMoney(a.buyNowPrice)}, ${BUY_NOW_UNTIL[a.buyNowUntil]}: ${a.buyNowAvailable ? 'available' : 'gone'}`;
}

/** Auctions as a table, one row each. */
export function auctionTable(auctions: readonly Auction[], paint: Paint, now = Date.now(), user: Who = byId): string {
  return table(
    auctions,
    [
      { header: 'ID', align: 'right', value: (a) => String(a.id) },
      { header: 'TITLE', value: (a) => truncate(a.title, 40) },
      { header: 'STATUS', value: (a) => a.status, style: (a) => statusStyle(a.status) },
      { header: 'PRICE', align: 'right', value: (a) => formatMoney(a.currentPrice) },
      { header: 'BIDS', align: 'right', value: (a) => String(a.bidCount) },
      { header: 'NEXT MIN', align: 'right', value: (a) => formatMoney(a.minNextBid) },
      // Only while it can be bought: a buy-now that bidding took away is no price to offer.
      { header: 'BUY NOW', align: 'right', value: (a) => (a.buyNowAvailable ? formatMoney(a.buyNowPrice) : '—') },
      { header: 'LEADER', value: (a) => user(a.leaderId) },
      { header: 'ENDS', value: (a) => relativeTime(a.endsAt, now) },
    ],
    paint,
  );
}

/** Bids as a table, in the order given; a maximum's automatic bids marked `auto`. */
export function bidTable(bids: readonly Bid[], paint: Paint, user: Who = byId): string {
  return table(
    bids,
    [
      { header: 'BID', align: 'right', value: (b) => String(b.id) },
      { header: 'BIDDER', value: (b) => user(b.bidderId) },
      { header: 'AMOUNT', align: 'right', value: (b) => formatMoney(b.amount) },
      { header: 'AT', value: (b) => formatTime(b.at) },
      // Only when a maximum placed one of them: `auto` beside it.
      ...(bids.some((b) => b.automatic) ? [{ header: 'HOW', value: (b: Bid) => (b.automatic ? 'auto' : '') }] : []),
    ],
    paint,
  );
}

/** A user's money (total, held by leading bids, available) after any other lines, amounts right-aligned. */
export function balanceBlock(
  b: Pick<Me, 'balance' | 'held' | 'available'>,
  paint: Paint,
  before: readonly (readonly [string, string])[] = [],
): string {
  const amounts = [b.balance, b.held, b.available].map((n) => formatMoney(n));
  const size = Math.max(...amounts.map((a) => a.length));
  const [balance, held, available] = amounts.map((a) => a.padStart(size));
  return keyValues([...before, ['balance', balance!], ['held', held!], ['available', available!]], paint);
}
