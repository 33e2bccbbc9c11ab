// The board's state as plain data: auctions as the socket last described them,
// recent bids, the user's money and markers. Events are applied here without
// rendering; the UI reads a view of it (board-view.ts) at most once per batch interval.
import { applyEvent } from '../../client/apply-event.js';
import type { NameBook } from '../../client/name-cache.js';
import { formatMoney } from '../../format/money.js';
import type { AuctionEvent, PrivateEvent } from '../../protocol/events.js';
import type { Auction, Bid, Me } from '../../protocol/types.js';
import type { ConnectionState } from '../data/board-source.js';

/** How long an ended auction stays on the board (dimmed, with its final state) before moving to the strip. */
export const ENDED_LINGER_MS = 6000;
/** Recent bids kept per auction. */
export const RECENT_BIDS = 20;
/** Ended auctions kept for the "recently ended" strip. */
const ENDED_KEEP = 8;
/** Ended auctions kept beyond the strip, for the ended list (`e`): bounded, so a long run cannot grow it forever. */
export const ENDED_HISTORY_KEEP = 1000;

/** Where the store finds user names (the client's NameCache); undefined means "not known yet". */
export type { NameBook };

const NO_NAMES: NameBook = { name: () => undefined };

export interface BidLine {
  bidderId: number;
  amount: number;
  at: string;
  version: number;
  /** Placed by the bidder's maximum. */
  automatic?: boolean;
}

/** One auction the board holds, and when it last changed and ended (ms), for highlights and the ended strip. */
export interface BoardEntry {
  auction: Auction;
  changedAt: number | null;
  endedAt: number | null;
  /** Recent bids, newest first. */
  bids: BidLine[];
}

export interface Notice {
  kind: 'outbid' | 'info' | 'error';
  text: string;
  at: number;
}

export type Mine = 'leading' | 'outbid' | null;

export class BoardStore {
  private readonly entries = new Map<number, BoardEntry>();
  private readonly outbid = new Set<number>();
  /** The user's working maximum per auction, while they lead by it (theirs alone to see). */
  private readonly maxima = new Map<number, number>();
  /** Users on the board whose names have not been asked for since they appeared. */
  private readonly unnamed = new Set<number>();
  /** Ended auctions pruned from the board, newest last: what the ended list shows beyond the strip. */
  private readonly history = new Map<number, BoardEntry>();
  me: Me | null = null;
  connection: ConnectionState = { kind: 'connecting' };
  notice: Notice | null = null;
  /** Bumped by every change, so a reader can tell whether to render again. */
  revision = 0;

  constructor(readonly names: NameBook = NO_NAMES) {}

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
    const ids = [...this.unnamed].filter((id) => !this.isMe(id) && this.names.name(id) === undefined);
    this.unnamed.clear();
    return ids;
  }

  /** Names arrived: everything that shows a user is drawn again. */
  namesChanged(): boolean {
    return this.touch();
  }

  /** True when the user is the token's own: the one fact behind every "you" and every marker on screen. */
  isMe(id: number | null): boolean {
    return id !== null && this.me !== null && id === this.me.id;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  auction(id: number): Auction | undefined {
    return this.entries.get(id)?.auction;
  }

  /** Every auction held, in no particular order. */
  all(): Iterable<Readonly<BoardEntry>> {
    return this.entries.values();
  }

  /** Every auction that ended while the board ran (on the board or pruned from it), in no particular order. */
  *ended(): Iterable<Readonly<BoardEntry>> {
    for (const e of this.history.values()) if (!this.entries.has(e.auction.id)) yield e;
    for (const e of this.entries.values()) if (e.endedAt !== null) yield e;
  }

  /** Recent bids on an auction, newest first. */
  bids(id: number): BidLine[] {
    return this.entries.get(id)?.bids ?? [];
  }

  mine(id: number): Mine {
    const a = this.entries.get(id)?.auction;
    if (!a) return null;
    if (this.isMe(a.leaderId)) return 'leading';
    return this.outbid.has(id) ? 'outbid' : null;
  }

  /** The user's working maximum on an auction while they lead by it; null otherwise. */
  myMax(id: number): number | null {
    return this.maxima.get(id) ?? null;
  }

  /**
   * The user leads by a maximum that can still answer a bid (above the price).
   * A plain bid that leads is its own maximum, with nothing left: not this.
   */
  leadsByMax(id: number): boolean {
    const max = this.maxima.get(id);
    const price = this.entries.get(id)?.auction.currentPrice;
    return max !== undefined && price != null && max > price && this.mine(id) === 'leading';
  }

  /**
   * What the daemon said of the user's maximum (a bid's `yourMax`, GET /v1/me/bids):
   * a number while they lead by it, null when it no longer works.
   */
  setMyMax(id: number, max: number | null): boolean {
    if (max === null ? !this.maxima.delete(id) : this.maxima.get(id) === max) return false;
    if (max !== null) this.maxima.set(id, max);
    return this.touch();
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
    for (const b of bids) byVersion.set(b.version, { bidderId: b.bidderId, amount: b.amount, at: b.at, version: b.version, automatic: b.automatic });
    e.bids = [...byVersion.values()].sort((x, y) => y.version - x.version).slice(0, RECENT_BIDS);
    for (const b of e.bids) this.seen(b.bidderId);
    return this.touch();
  }

  /** Applies one public event; duplicates and events older than our state are ignored. */
  apply(event: AuctionEvent, now: number): boolean {
    const e = this.entries.get(event.auction);
    const a = e && applyEvent(e.auction, event);
    if (!e || !a) return false;
    e.auction = a;
    e.changedAt = now;
    if (event.type === 'bid') {
      const line = { bidderId: event.bidderId, amount: event.amount, at: event.at, version: event.version, automatic: event.automatic };
      e.bids = [line, ...e.bids].slice(0, RECENT_BIDS);
    }
    if (a.status !== 'open' && e.endedAt === null) e.endedAt = now;
    // A bid's bidder is its leader, so the leader covers every user an event shows.
    this.seen(a.leaderId);
    this.syncMine(a.id);
    return this.touch();
  }

  /** How many watch an auction now (presence); not a change a row is highlighted for. */
  setWatching(id: number, watching: number): boolean {
    const e = this.entries.get(id);
    if (!e || e.auction.watching === watching) return false;
    e.auction = { ...e.auction, watching };
    return this.touch();
  }

  /** Applies an event private to the user: money and outbid markers. */
  applyPrivate(event: PrivateEvent, now: number): boolean {
    if (event.type === 'balance') {
      if (!this.me || !this.isMe(event.userId)) return false;
      this.me = { ...this.me, balance: event.balance, held: event.held, available: event.available };
      return this.touch();
    }
    // Your maximum answered a bid (it still works) or was used up (an outbid follows if the lead went).
    if (event.type === 'maxRaised') return this.setMyMax(event.auction, event.max);
    if (event.type === 'maxExhausted') return this.setMyMax(event.auction, null);
    // Won, lost and sold show in the auction's own public events.
    if (event.type !== 'outbid') return false;
    const e = this.entries.get(event.auction);
    // The outbid may arrive before the bid event that caused it; either order ends the same.
    if (e && this.isMe(e.auction.leaderId) && event.version <= e.auction.version) return false;
    this.outbid.add(event.auction);
    this.maxima.delete(event.auction);
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

  /** Moves ended auctions beyond the few the strip shows off the board, into the ended list. */
  prune(now: number): void {
    const ended = [...this.entries.values()]
      .filter((e) => e.endedAt !== null && now - e.endedAt >= ENDED_LINGER_MS)
      .sort((x, y) => y.endedAt! - x.endedAt!);
    // Oldest first, so the history's insertion order is the order to forget in.
    for (const e of ended.slice(ENDED_KEEP).reverse()) {
      this.entries.delete(e.auction.id);
      this.outbid.delete(e.auction.id);
      this.maxima.delete(e.auction.id);
      this.history.delete(e.auction.id);
      this.history.set(e.auction.id, e);
    }
    for (const id of this.history.keys()) {
      if (this.history.size <= ENDED_HISTORY_KEEP) break;
      this.history.delete(id);
    }
  }

  private syncMine(id: number): void {
    const a = this.entries.get(id)?.auction;
    if (a && this.isMe(a.leaderId)) this.outbid.delete(id);
    // A maximum works only while it leads an open auction (the user known: until then nothing is dropped).
    else if (a && this.me !== null) this.maxima.delete(id);
    if (a && a.status !== 'open') this.maxima.delete(id);
  }
}
