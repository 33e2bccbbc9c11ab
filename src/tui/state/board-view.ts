// What the board draws, made from the store at one moment: rows with labels,
// countdowns, highlights and markers. Pure: the same store and time give the same view.
import { formatMoney } from '../../format/money.js';
import type { Auction, AuctionStatus } from '../../protocol/types.js';
import { ENDED_LINGER_MS, type BoardStore, type Mine } from './board-store.js';
import { compareRows, DEFAULT_SORT, type BoardSort } from './board-sort.js';
import { formatRemaining, isWarning } from './countdown.js';
import { matchesMine, type MineFilter } from './mine-filter.js';

/** How long a changed row stays highlighted. */
export const HIGHLIGHT_MS = 1500;
/** Longest name in the board's Leader column (and so in the ended labels made from it). */
export const NAME_WIDTH = 8;

/** What a line about an auction shows, on the board and in the list of ended auctions. */
export interface AuctionLine {
  id: number;
  title: string;
  status: AuctionStatus;
  price: number | null;
  leader: string;
  /** The leader is the token's own user (never read from the label: a user may be named anything). */
  leaderIsMe: boolean;
  bidCount: number;
}

export interface RowView extends AuctionLine {
  /** How many watch it over all daemons; null until the daemon has said. */
  watching: number | null;
  endsAt: string;
  /** Time left as shown (m:ss), so a row that did not change compares equal within a second. */
  countdown: string;
  warning: boolean;
  highlight: boolean;
  /** True once the auction is no longer open. */
  ended: boolean;
  mine: Mine;
  /** The user leads by a working maximum that can still answer a bid. */
  byMax: boolean;
}

/** How the rows are ordered and which of the user's own they are narrowed to (`s`/`S` and `M`). */
export interface BoardOrder {
  sort: BoardSort;
  mine: MineFilter;
}

export const DEFAULT_ORDER: BoardOrder = { sort: DEFAULT_SORT, mine: 'all' };

export interface BoardView {
  /** Open auctions (and ones that just ended), in the order asked for (soonest ending first by default). */
  rows: RowView[];
  /** Auctions that ended a while ago, most recent first. */
  ended: RowView[];
}

/** How a screen names a user: `max` is the most characters the name may take. */
export type Who = (id: number | null, max?: number) => string;

/** Whether a user is the token's own, which decides how they are drawn (never their label). */
export type IsMe = (id: number | null) => boolean;

/** How the board names a user: "you", their name (at most `max` characters), "#4" until the name is known, or a dash for nobody. */
export function labels(store: BoardStore): Who {
  return (id, max = Infinity) => {
    if (id === null) return '—';
    if (store.isMe(id)) return 'you';
    return store.names.name(id, max) ?? `#${id}`;
  };
}

/** An auction's line, its leader named by `who`. */
export function auctionLine(a: Auction, store: BoardStore, who: Who): AuctionLine {
  return {
    id: a.id,
    title: a.title,
    status: a.status,
    price: a.currentPrice,
    leader: who(a.leaderId, NAME_WIDTH),
    leaderIsMe: store.isMe(a.leaderId),
    bidCount: a.bidCount,
  };
}

/** The final state of an ended auction in a few words. */
export function endedLabel(status: AuctionStatus, price: number | null, leader: string): string {
  switch (status) {
    case 'sold':
      return `SOLD ${formatMoney(price)} to ${leader}`;
    case 'closed':
      return `WON by ${leader} at ${formatMoney(price)}`;
    case 'unsold':
      return 'UNSOLD';
    case 'cancelled':
      return 'CANCELLED';
    default:
      return 'OPEN';
  }
}

/** What the board shows at `now`, filtered by a title substring, sorted and narrowed to the user's own as `order` says. */
export function boardView(store: BoardStore, now: number, filter = '', order: BoardOrder = DEFAULT_ORDER): BoardView {
  const needle = filter.trim().toLowerCase();
  const who = labels(store);
  const rows: { row: RowView; endsMs: number; createdMs: number }[] = [];
  const ended: { row: RowView; endedAt: number }[] = [];
  for (const e of store.all()) {
    const a = e.auction;
    if (needle && !a.title.toLowerCase().includes(needle)) continue;
    if (!matchesMine(order.mine, store.mine(a.id), store.isMe(a.sellerId))) continue;
    const endsMs = Date.parse(a.endsAt);
    const remainingMs = endsMs - now;
    const row: RowView = {
      ...auctionLine(a, store, who),
      watching: a.watching ?? null,
      endsAt: a.endsAt,
      countdown: formatRemaining(remainingMs),
      warning: a.status === 'open' && isWarning(remainingMs),
      highlight: e.changedAt !== null && now - e.changedAt < HIGHLIGHT_MS,
      ended: a.status !== 'open',
      mine: store.mine(a.id),
      byMax: store.leadsByMax(a.id),
    };
    if (e.endedAt !== null && now - e.endedAt >= ENDED_LINGER_MS) ended.push({ row, endedAt: e.endedAt });
    else rows.push({ row, endsMs, createdMs: Date.parse(a.createdAt) });
  }
  const sortable = (x: (typeof rows)[number]) => ({ id: x.row.id, endsMs: x.endsMs, price: x.row.price, bidCount: x.row.bidCount, createdMs: x.createdMs });
  rows.sort((x, y) => compareRows(order.sort, sortable(x), sortable(y)));
  ended.sort((x, y) => y.endedAt - x.endedAt || y.row.id - x.row.id);
  return { rows: rows.map((x) => x.row), ended: ended.map((x) => x.row) };
}
