// The board's state as plain data: auctions as the socket last described them,
// recent bids, the user's money and markers. Events are applied here without
// rendering; the UI reads a view of it at most once per batch interval.
import type { NameBook } from '../../client/name-cache.js';
import type { AuctionEvent, PrivateEvent } from '../../protocol/events.js';
import { formatMoney } from '../../protocol/money.js';
import type { Auction, AuctionStatus, Bid, Me } from '../../protocol/types.js';
import type { ConnectionState } from '../data/board-source.js';
import { formatRemaining, isWarning } from './countdown.js';

/** How long a changed row stays highlighted. */
export const HIGHLIGHT_MS = 1500;
/** How long an ended auction stays on the board (dimmed, with its final state) before moving to the strip. */
export const ENDED_LINGER_MS = 6000;
/** Recent bids kept per auction. */
export const RECENT_BIDS = 20;
/** Ended auctions kept for the "recently ended" strip. */
const ENDED_KEEP = 8;
/** Longest name in the board's Leader column (and so in the ended labels made from it). */
export const NAME_WIDTH = 8;

/** Where the store finds user names (the client's NameCache); undefined means "not known yet". */
export type { NameBook };

const NO_NAMES: NameBook = { name: () => undefined };

export interface BidLine {
  bidderId: number;
  amount: number;
  at: string;
  version: number;
}

interface Entry {
  auction: Auction;
  changedAt: number | null;
  endedAt: number | null;
  bids: BidLine[];
}

export interface Notice {
  kind: 'outbid' | 'info' | 'error';
  text: string;
  at: number;
}

export type Mine = 'leading' | 'outbid' | null;

export interface RowView {
  id: number;
  title: string;
  status: AuctionStatus;
  price: number | null;
  leader: string;
  bidCount: number;
  endsAt: string;
  /** Time left as shown (m:ss), so a row that did not change compares equal within a second. */
  countdown: string;
  warning: boolean;
  highlight: boolean;
  /** True once the auction is no longer open. */
  ended: boolean;
  mine: Mine;
}

export interface BoardView {
  /** Open auctions (and ones that just ended), soonest ending first. */
  rows: RowView[];
  /** Auctions that ended a while ago, most recent first. */
  ended: RowView[];
}

/** How a user is named on screen: "you", their name (at most `max` characters), "#4" until the name is known, or a dash for nobody. */
export function userLabel(id: number | null, meId: number | undefined, names: NameBook, max = Infinity): string {
  if (id === null) return '—';
  if (id === meId) return 'you';
  return names.name(id, max) ?? `#${id}`;
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

export class BoardStore {
  private readonly entries = new Map<number, Entry>();
  private readonly outbid = new Set<number>();
  /** Users on the board whose names have not been asked for since they appeared. */
  private readonly unnamed = new Set<number>();
  me: Me | null = null;
  connection: ConnectionState = { kind: 'connecting' };
  notice: Notice | null = null;
  /** Bumped by every change, so a reader can tell whether to render again. */
  revision = 0;

  constructor(private readonly names: NameBook = NO_NAMES) {}

  private touch(): true {
    this.revision++;
    return true;
  }

  /** Notes a user the screen names, so that their name is asked for. */
  private seen(id: number | null): void {
    if (id !== null && this.names.name(id) === undefined) this.unnamed.add(id);
  }

  /** The users seen since the last call whose names are not known (never the token's own user, shown as "you"). */
  takeUnnamed(): number[] {
    const ids = [...this.unnamed].filter((id) => id !== this.me?.id && this.names.name(id) === undefined);
    this.unnamed.clear();
    return ids;
  }

  /** Names arrived: everything that shows a user is drawn again. */
  namesChanged(): boolean {
    return this.touch();
  }

  /** A user as the screen names them; see userLabel. */
  who(id: number | null, max = Infinity): string {
    return userLabel(id, this.me?.id, this.names, max);
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  auction(id: number): Auction | undefined {
    return this.entries.get(id)?.auction;
  }

  /** Recent bids on an auction, newest first. */
  bids(id: number): BidLine[] {
    return this.entries.get(id)?.bids ?? [];
  }

  mine(id: number): Mine {
    const a = this.entries.get(id)?.auction;
    if (!a) return null;
    if (this.me && a.leaderId === this.me.id) return 'leading';
    return this.outbid.has(id) ? 'outbid' : null;
  }

  /** Takes a whole auction state (list, snapshot, detail); older versions than ours are ignored. */
  upsert(auction: Auction, now: number): boolean {
    const e = this.entries.get(auction.id);
    if (!e) {
      this.entries.set(auction.id, {
        auction: { ...auction },
        changedAt: null,
        endedAt: auction.status === 'open' ? null : now,
        bids: [],
      });
      this.seen(auction.leaderId);
      return this.touch();
    }
    if (auction.version < e.auction.version) return false;
    const same = auction.version === e.auction.version && auction.status === e.auction.status;
    if (same) return false;
    const wasOpen = e.auction.status === 'open';
    e.auction = { ...auction };
    e.changedAt = now;
    if (wasOpen && auction.status !== 'open') e.endedAt = now;
    this.seen(auction.leaderId);
    this.syncMine(auction.id);
    return this.touch();
  }

  /** Merges bids fetched over HTTP with those heard live. */
  setBids(id: number, bids: Bid[]): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    const byVersion = new Map<number, BidLine>();
    for (const b of e.bids) byVersion.set(b.version, b);
    for (const b of bids) byVersion.set(b.version, { bidderId: b.bidderId, amount: b.amount, at: b.at, version: b.version });
    e.bids = [...byVersion.values()].sort((x, y) => y.version - x.version).slice(0, RECENT_BIDS);
    for (const b of e.bids) this.seen(b.bidderId);
    return this.touch();
  }

  /** Applies one public event; duplicates and events older than our state are ignored. */
  apply(event: AuctionEvent, now: number): boolean {
    const e = this.entries.get(event.auction);
    if (!e || event.version <= e.auction.version) return false;
    const a = e.auction;
    a.version = event.version;
    e.changedAt = now;
    switch (event.type) {
      case 'bid':
        a.currentPrice = event.price;
        a.leaderId = event.leaderId;
        a.bidCount = event.bidCount;
        a.endsAt = event.endsAt;
        a.minNextBid = event.minNextBid;
        e.bids = [{ bidderId: event.bidderId, amount: event.amount, at: event.at, version: event.version }, ...e.bids].slice(
          0,
          RECENT_BIDS,
        );
        break;
      case 'extended':
        a.endsAt = event.endsAt;
        break;
      case 'sold':
      case 'closed':
        a.status = event.status;
        a.currentPrice = event.price;
        a.leaderId = event.type === 'sold' ? event.leaderId : event.winnerId;
        a.endsAt = event.endsAt;
        a.minNextBid = null;
        break;
      case 'cancelled':
        a.status = 'cancelled';
        a.endsAt = event.endsAt;
        a.minNextBid = null;
        break;
    }
    if (a.status !== 'open' && e.endedAt === null) e.endedAt = now;
    // A bid's bidder is its leader, so the leader covers every user an event shows.
    this.seen(a.leaderId);
    this.syncMine(a.id);
    return this.touch();
  }

  /** Applies an event private to the user: money and outbid markers. */
  applyPrivate(event: PrivateEvent, now: number): boolean {
    if (event.type === 'balance') {
      if (!this.me || event.userId !== this.me.id) return false;
      this.me = { ...this.me, balance: event.balance, held: event.held, available: event.available };
      return this.touch();
    }
    // Your maximum answering, or used up: the public bid events say what changed.
    if (event.type !== 'outbid') return false;
    const e = this.entries.get(event.auction);
    // The outbid may arrive before the bid event that caused it; either order ends the same.
    if (e && this.me && e.auction.leaderId === this.me.id && event.version <= e.auction.version) return false;
    this.outbid.add(event.auction);
    const title = e ? `“${e.auction.title}”` : `auction #${event.auction}`;
    this.notice = { kind: 'outbid', text: `Outbid on ${title}: now ${formatMoney(event.price)}.`, at: now };
    return this.touch();
  }

  setMe(me: Me | null): boolean {
    this.me = me;
    for (const id of this.entries.keys()) this.syncMine(id);
    return this.touch();
  }

  setConnection(state: ConnectionState): boolean {
    this.connection = state;
    return this.touch();
  }

  setNotice(notice: Notice | null): boolean {
    this.notice = notice;
    return this.touch();
  }

  /** Ids of open auctions we hold that a fresh open list no longer has, and whose end has passed. */
  missingFrom(openIds: Set<number>, now: number): number[] {
    const out: number[] = [];
    for (const [id, e] of this.entries) {
      if (e.auction.status === 'open' && !openIds.has(id) && Date.parse(e.auction.endsAt) <= now) out.push(id);
    }
    return out;
  }

  /** Forgets ended auctions beyond the few the strip shows. */
  prune(now: number): void {
    const ended = [...this.entries.values()]
      .filter((e) => e.endedAt !== null && now - e.endedAt >= ENDED_LINGER_MS)
      .sort((x, y) => y.endedAt! - x.endedAt!);
    for (const e of ended.slice(ENDED_KEEP)) {
      this.entries.delete(e.auction.id);
      this.outbid.delete(e.auction.id);
    }
  }

  private syncMine(id: number): void {
    const a = this.entries.get(id)?.auction;
    if (a && this.me && a.leaderId === this.me.id) this.outbid.delete(id);
  }

  /** What the board shows at `now`, filtered by a title substring. */
  view(now: number, filter = ''): BoardView {
    const needle = filter.trim().toLowerCase();
    const rows: { row: RowView; endsMs: number }[] = [];
    const ended: { row: RowView; endedAt: number }[] = [];
    for (const e of this.entries.values()) {
      const a = e.auction;
      if (needle && !a.title.toLowerCase().includes(needle)) continue;
      const endsMs = Date.parse(a.endsAt);
      const remainingMs = endsMs - now;
      const row: RowView = {
        id: a.id,
        title: a.title,
        status: a.status,
        price: a.currentPrice,
        leader: this.who(a.leaderId, NAME_WIDTH),
        bidCount: a.bidCount,
        endsAt: a.endsAt,
        countdown: formatRemaining(remainingMs),
        warning: a.status === 'open' && isWarning(remainingMs),
        highlight: e.changedAt !== null && now - e.changedAt < HIGHLIGHT_MS,
        ended: a.status !== 'open',
        mine: this.mine(a.id),
      };
      if (e.endedAt !== null && now - e.endedAt >= ENDED_LINGER_MS) ended.push({ row, endedAt: e.endedAt });
      else rows.push({ row, endsMs });
    }
    rows.sort((x, y) => x.endsMs - y.endsMs || x.row.id - y.row.id);
    ended.sort((x, y) => y.endedAt - x.endedAt || y.row.id - x.row.id);
    return { rows: rows.map((x) => x.row), ended: ended.map((x) => x.row) };
  }
}
