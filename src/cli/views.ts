// How auctions, bids and balances look to people. Money always with thousands
// separators; times in UTC with a relative hint.
import type { NameBook } from '../client/name-cache.js';
import { formatDuration } from '../format/duration.js';
import { formatMoney } from '../format/money.js';
import { plural, truncate } from '../format/text.js';
import type { Auction, AuctionStatus, Bid, Me } from '../protocol/types.js';
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
    ['status', paint(statusStyle(a.status), a.status)],
    ['seller', user(a.sellerId)],
    ['price', price],
    ['next minimum', formatMoney(a.minNextBid)],
    ['start price', formatMoney(a.startPrice)],
    ['increment', formatMoney(a.minIncrement)],
    ['buy now', a.buyNowPrice === null ? '—' : formatMoney(a.buyNowPrice)],
    ['soft close', a.softCloseSec === null ? '—' : formatDuration(a.softCloseSec)],
    ['ends', `${formatTime(a.endsAt)} (${relativeTime(a.endsAt, now)})`],
    ['created', formatTime(a.createdAt)],
    ['version', String(a.version)],
  ];
  return `${paint('bold', `Auction ${a.id}: ${a.title}`)}\n${keyValues(pairs, paint)}`;
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
      { header: 'BUY NOW', align: 'right', value: (a) => formatMoney(a.buyNowPrice) },
      { header: 'LEADER', value: (a) => user(a.leaderId) },
      { header: 'ENDS', value: (a) => relativeTime(a.endsAt, now) },
    ],
    paint,
  );
}

/** Bids as a table, in the order given. */
export function bidTable(bids: readonly Bid[], paint: Paint, user: Who = byId): string {
  return table(
    bids,
    [
      { header: 'BID', align: 'right', value: (b) => String(b.id) },
      { header: 'BIDDER', value: (b) => user(b.bidderId) },
      { header: 'AMOUNT', align: 'right', value: (b) => formatMoney(b.amount) },
      { header: 'AT', value: (b) => formatTime(b.at) },
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
