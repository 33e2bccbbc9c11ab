// An in-memory BoardSource for TUI component tests: a small auction house with
// the daemon's bid rules, whose events a test fires by hand. It records what
// the TUI subscribes to and every name lookup, so tests can check that the
// screen drives the socket and asks for names in batches.
import { nbError } from '../../src/protocol/errors.js';
import type { AuctionEvent, PrivateEvent } from '../../src/protocol/events.js';
import type { Auction, AuctionDetail, Bid, BidResult, Me, MyBid, MyBids, UserList } from '../../src/protocol/types.js';
import type { BoardSource, BoardSourceHandlers, ConnectionState } from '../../src/tui/data/board-source.js';

export interface FakeAuctionInit {
  title: string;
  startPrice?: number;
  minIncrement?: number;
  buyNowPrice?: number | null;
  softCloseSec?: number | null;
  /** Seconds from now. */
  endsInSec?: number;
  sellerId?: number;
}

export class FakeBoardSource implements BoardSource {
  readonly address = '127.0.0.1:7700';
  readonly hasUser: boolean;
  readonly auctions = new Map<number, Auction>();
  readonly bidsOf = new Map<number, Bid[]>();
  readonly subscribed = new Set<number>();
  /** Every subscribe/unsubscribe call, in order. */
  readonly calls: string[] = [];
  /** The users' names, as `GET /v1/users` would give them. */
  readonly names = new Map<number, string>();
  /** The ids of every name lookup, one entry per request. */
  readonly nameRequests: number[][] = [];
  /** While set, name lookups wait for it (a slow daemon). */
  namesGate: Promise<void> | null = null;
  user: Me | null;
  private handlers: BoardSourceHandlers | null = null;
  private nextId = 1;
  private nextBid = 1;
  closed = false;
  /** The working maximum on each auction: its bidder and amount. */
  readonly maxima = new Map<number, { bidderId: number; max: number }>();
  /** What GET /v1/me/bids answers. */
  myBidList: MyBid[] = [];

  constructor(me: Me | null = { id: 1, name: 'ann', balance: 100_000, held: 0, available: 100_000 }) {
    this.user = me;
    this.hasUser = me !== null;
  }

  add(init: FakeAuctionInit): Auction {
    const id = this.nextId++;
    const now = Date.now();
    const a: Auction = {
      id,
      title: init.title,
      sellerId: init.sellerId ?? 99,
      status: 'open',
      startPrice: init.startPrice ?? 100,
      minIncrement: init.minIncrement ?? 10,
      buyNowPrice: init.buyNowPrice ?? null,
      softCloseSec: init.softCloseSec ?? null,
      increments: [{ from: 0, step: init.minIncrement ?? 10 }],
      hasReserve: false,
      reserveMet: false,
      buyNowUntil: 'price',
      buyNowAvailable: init.buyNowPrice != null,
      unsoldReason: null,
      currentPrice: null,
      leaderId: null,
      bidCount: 0,
      minNextBid: init.startPrice ?? 100,
      endsAt: new Date(now + (init.endsInSec ?? 600) * 1000).toISOString(),
      createdAt: new Date(now).toISOString(),
      version: 0,
    };
    this.auctions.set(id, a);
    this.bidsOf.set(id, []);
    return { ...a };
  }

  start(handlers: BoardSourceHandlers): void {
    this.handlers = handlers;
    handlers.connection({ kind: 'live' });
  }

  subscribe(ids: number[]): void {
    this.calls.push(`+${ids.join(',')}`);
    for (const id of ids) {
      this.subscribed.add(id);
      const a = this.auctions.get(id);
      if (a) this.handlers?.snapshot({ ...a });
    }
  }

  unsubscribe(ids: number[]): void {
    this.calls.push(`-${ids.join(',')}`);
    for (const id of ids) this.subscribed.delete(id);
  }

  async listOpen(): Promise<Auction[]> {
    return [...this.auctions.values()]
      .filter((a) => a.status === 'open')
      .sort((x, y) => Date.parse(x.endsAt) - Date.parse(y.endsAt))
      .map((a) => ({ ...a }));
  }

  async detail(id: number): Promise<AuctionDetail> {
    const a = this.auctions.get(id);
    if (!a) throw nbError('NOT_FOUND', { auction: id });
    return { ...a, recentBids: [...this.bidsOf.get(id)!].reverse().slice(0, 20) };
  }

  async me(): Promise<Me | null> {
    return this.user;
  }

  async users(ids: readonly number[]): Promise<UserList> {
    this.nameRequests.push([...ids]);
    await this.namesGate;
    return { users: ids.filter((id) => this.names.has(id)).map((id) => ({ id, name: this.names.get(id)! })) };
  }

  async bid(auctionId: number, amount: number): Promise<BidResult> {
    if (!this.user) throw nbError('UNAUTHORIZED');
    return this.placeBid(auctionId, this.user.id, amount);
  }

  /**
   * The user's maximum, by a small part of the rules: above the minimum next
   * bid it leads at that minimum (or raises their own maximum without moving
   * the price); a later bid of someone else below it is answered one increment up.
   */
  async bidMax(auctionId: number, max: number): Promise<BidResult> {
    if (!this.user) throw nbError('UNAUTHORIZED');
    const a = this.open(auctionId);
    if (a.leaderId === this.user.id && this.maxima.get(auctionId)?.bidderId === this.user.id) {
      this.maxima.set(auctionId, { bidderId: this.user.id, max });
      return { bid: null, bids: [], auction: { ...a }, leading: true, yourMax: max };
    }
    const placed = this.placeBid(auctionId, this.user.id, a.minNextBid !== null && max >= a.minNextBid ? a.minNextBid : max);
    if (!placed.leading) return placed;
    this.maxima.set(auctionId, { bidderId: this.user.id, max });
    return { ...placed, yourMax: max };
  }

  async myBids(): Promise<MyBids> {
    return { bids: this.myBidList };
  }

  async buy(auctionId: number): Promise<{ auction: Auction }> {
    if (!this.user) throw nbError('UNAUTHORIZED');
    const a = this.open(auctionId);
    if (a.buyNowPrice === null || (a.currentPrice ?? 0) >= a.buyNowPrice) {
      const reason = a.buyNowPrice === null ? 'no_buy_now' : 'price_reached';
      throw nbError('BUY_NOW_UNAVAILABLE', { reason, buyNowUntil: a.buyNowUntil, buyNowPrice: a.buyNowPrice, currentPrice: a.currentPrice });
    }
    if (this.user.available < a.buyNowPrice) throw nbError('INSUFFICIENT_FUNDS', { available: this.user.available });
    const previousLeaderId = a.leaderId;
    Object.assign(a, { status: 'sold', currentPrice: a.buyNowPrice, leaderId: this.user.id, minNextBid: null, version: a.version + 1 });
    this.emit({
      type: 'sold',
      auction: a.id,
      version: a.version,
      at: new Date().toISOString(),
      status: 'sold',
      buyerId: this.user.id,
      price: a.buyNowPrice,
      leaderId: this.user.id,
      previousLeaderId,
      endsAt: a.endsAt,
    });
    return { auction: { ...a } };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers = null;
  }

  // ---- test controls ----

  /**
   * Another user bids: the event goes to subscribers; an outbid goes to "me" if they led.
   * A working maximum of someone else answers it one increment up (automatic), or is used up.
   */
  placeBid(auctionId: number, bidderId: number, amount: number): BidResult {
    const a = this.open(auctionId);
    if (bidderId === a.sellerId) throw nbError('SELF_BID');
    if (a.minNextBid === null || amount < a.minNextBid) throw nbError('BID_TOO_LOW', { minimum: a.minNextBid });
    const holder = this.maxima.get(auctionId);
    if (holder && holder.bidderId !== bidderId) {
      const answer = amount + (a.minIncrement ?? 10);
      const mine = this.user?.id === holder.bidderId;
      if (holder.max >= answer) {
        const theirs = this.row(a, bidderId, amount, false, holder.bidderId);
        const auto = this.row(a, holder.bidderId, answer, true, holder.bidderId);
        if (mine) this.emitPrivate({ type: 'maxRaised', auction: a.id, version: a.version, at: auto.at, price: answer, max: holder.max });
        return { bid: theirs, bids: [theirs, auto], auction: { ...a }, leading: false, yourMax: null };
      }
      this.maxima.delete(auctionId);
      if (mine) this.emitPrivate({ type: 'maxExhausted', auction: a.id, version: a.version, at: new Date().toISOString(), max: holder.max });
    }
    const bid = this.row(a, bidderId, amount, false, bidderId);
    return { bid, bids: [bid], auction: { ...a }, leading: true, yourMax: null };
  }

  /** One bid row and its event; `leaderId` leads after it. */
  private row(a: Auction, bidderId: number, amount: number, automatic: boolean, leaderId: number): Bid {
    const auctionId = a.id;
    const previousLeaderId = a.leaderId;
    Object.assign(a, {
      currentPrice: amount,
      leaderId,
      bidCount: a.bidCount + 1,
      minNextBid: amount + (a.minIncrement ?? 10),
      reserveMet: true,
      version: a.version + 1,
    });
    const at = new Date().toISOString();
    const bid: Bid = { id: this.nextBid++, auctionId, bidderId, amount, version: a.version, at, automatic };
    this.bidsOf.get(auctionId)!.push(bid);
    this.emit({
      type: 'bid',
      auction: a.id,
      version: a.version,
      at,
      bidId: bid.id,
      bidderId,
      amount,
      automatic,
      price: amount,
      leaderId,
      previousLeaderId,
      bidCount: a.bidCount,
      endsAt: a.endsAt,
      minNextBid: a.minNextBid,
      reserveMet: true,
    });
    if (this.user && previousLeaderId === this.user.id && leaderId !== this.user.id) {
      this.emitPrivate({ type: 'outbid', auction: a.id, version: a.version, at, by: 'bid', price: amount, leaderId, released: 0 });
    }
    return bid;
  }

  /** The closer settles an auction. */
  closeAuction(auctionId: number): void {
    const a = this.open(auctionId);
    const status = a.leaderId === null ? 'unsold' : 'closed';
    Object.assign(a, { status, minNextBid: null, version: a.version + 1 });
    this.emit({
      type: 'closed',
      auction: a.id,
      version: a.version,
      at: new Date().toISOString(),
      status,
      winnerId: a.leaderId,
      price: a.currentPrice,
      reason: a.leaderId === null ? 'no_bids' : null,
      endsAt: a.endsAt,
    });
  }

  setConnection(state: ConnectionState): void {
    this.handlers?.connection(state);
  }

  emitPrivate(event: PrivateEvent): void {
    this.handlers?.private(event);
  }

  /** How many watch an auction, as the daemon's presence frames say it. */
  emitPresence(auction: number, watching: number): void {
    if (this.subscribed.has(auction)) this.handlers?.presence?.(auction, watching);
  }

  private emit(event: AuctionEvent): void {
    if (this.subscribed.has(event.auction)) this.handlers?.event(event);
  }

  private open(id: number): Auction {
    const a = this.auctions.get(id);
    if (!a) throw nbError('NOT_FOUND', { auction: id });
    if (a.status !== 'open') throw nbError('AUCTION_CLOSED', { status: a.status });
    return a;
  }
}
