// The model's state and the pieces every rule shares: one command works on a
// copy of the state (a Tx), records rows and events in order, and hands back
// the new state, its answer and its events. Nothing here does I/O.
import type { ErrorCode } from '../../src/protocol/errors.js';
import { minNextBid } from '../../src/protocol/increments.js';
import type {
  Accepted, Answer, BuyNowRefusal, ModelAuction, ModelBid, ModelEvent, ModelState, ModelUser,
  PublicAuction, Refused, Step, UnsoldReason,
} from './types.js';

/** An empty world at time `now` (ms). */
export function initialState(now = 0): ModelState {
  return { now, users: {}, auctions: {}, bids: [], supply: 0, nextUserId: 1, nextAuctionId: 1 };
}

export function refuse(code: ErrorCode, details: Record<string, unknown> = {}): Refused {
  return { code, details };
}

export function isRefused(answer: Answer): answer is Refused {
  return answer.code !== 'OK';
}

/** Open and its end not yet come: a bid, buy or cancel judged now may act on it. */
export function isLive(a: ModelAuction, now: number): boolean {
  return a.status === 'open' && now < a.endsAt;
}

/** The price has reached the reserve; without a reserve, the start price (so: any bid). */
export function reserveMet(a: ModelAuction): boolean {
  return a.price !== null && a.price >= (a.reservePrice ?? a.startPrice);
}

/** The smallest bid the rules accept now; null when the auction is not open or no bid is possible. */
export function nextBid(a: ModelAuction): number | null {
  return a.status === 'open' ? minNextBid({ startPrice: a.startPrice, currentPrice: a.price, increments: a.increments }) : null;
}

/** Why buy now is not offered on this auction (whatever its status), or null when it is. */
export function buyNowRefusal(a: ModelAuction): BuyNowRefusal | null {
  if (a.buyNowPrice === null) return 'no_buy_now';
  switch (a.buyNowUntil) {
    case 'price':
      return a.price !== null && a.price >= a.buyNowPrice ? 'price_reached' : null;
    case 'firstBid':
      return a.bidCount > 0 ? 'first_bid' : null;
    case 'reserveMet':
      return reserveMet(a) ? 'reserve_met' : null;
  }
}

/** The auction as anyone may see it: no reserve price, no maximum. */
export function publicAuction(a: ModelAuction, now: number): PublicAuction {
  return {
    id: a.id,
    sellerId: a.sellerId,
    status: a.status,
    startPrice: a.startPrice,
    minIncrement: a.minIncrement,
    increments: a.increments,
    hasReserve: a.reservePrice !== null,
    reserveMet: reserveMet(a),
    buyNowPrice: a.buyNowPrice,
    buyNowUntil: a.buyNowUntil,
    buyNowAvailable: isLive(a, now) && buyNowRefusal(a) === null,
    softCloseSec: a.softCloseMs === null ? null : a.softCloseMs / 1000,
    currentPrice: a.price,
    leaderId: a.leaderId,
    bidCount: a.bidCount,
    minNextBid: nextBid(a),
    endsAt: a.endsAt,
    version: a.version,
    unsoldReason: a.unsoldReason,
  };
}

export function available(u: ModelUser): number {
  return u.balance - u.held;
}

/** The least a soft close moves an end by; a smaller move is no extension. */
export const EXTEND_MIN_MS = 1000;

/** One command's work on a private copy of the state. */
export class Tx {
  readonly state: ModelState;
  readonly events: ModelEvent[] = [];

  constructor(private readonly before: ModelState) {
    this.state = structuredClone(before);
  }

  get now(): number {
    return this.state.now;
  }

  user(id: number): ModelUser | undefined {
    return this.state.users[id];
  }

  auction(id: number): ModelAuction | undefined {
    return this.state.auctions[id];
  }

  /** Makes `userId` the leader holding `max`, releasing the previous leader's hold. */
  lead(a: ModelAuction, userId: number, max: number): void {
    this.releaseHold(a);
    this.user(userId)!.held += max;
    a.leaderId = userId;
    a.leaderMax = max;
  }

  /** Frees the leader's hold on `a` (the leader stays named); returns what was freed. */
  releaseHold(a: ModelAuction): number {
    if (a.leaderId === null || a.leaderMax === null) return 0;
    const freed = a.leaderMax;
    this.user(a.leaderId)!.held -= freed;
    a.leaderMax = null;
    return freed;
  }

  /**
   * Tells every bidder of an ended auction but its winner (`winnerId`; null:
   * nobody won) that they lost it, ascending id, after its closing event.
   */
  tellLosers(a: ModelAuction, version: number, winnerId: number | null, price: number | null, reason: UnsoldReason | null): void {
    const bidders = new Set(this.state.bids.filter((b) => b.auctionId === a.id).map((b) => b.bidderId));
    for (const to of [...bidders].filter((u) => u !== winnerId).sort((p, q) => p - q)) {
      this.events.push({ type: 'lost', to, auction: a.id, version, price, winnerId, reason });
    }
  }

  /** Bumps the auction's version for a new public event and returns it. */
  nextVersion(a: ModelAuction): number {
    return ++a.version;
  }

  /**
   * Records a bid row at `amount` (the new price) and its public `bid` event;
   * `newLead` moves the lead (and the holds) first. A row that changes the
   * price or the leader inside the soft-close window moves the end to
   * now + window, with an `extended` event right after — unless that moves it
   * by less than a second (EXTEND_MIN_MS): bids a moment apart extend once.
   */
  row(a: ModelAuction, bidderId: number, amount: number, automatic: boolean, newLead?: { userId: number; max: number }): ModelBid {
    const previousLeaderId = a.leaderId;
    const previousPrice = a.price;
    if (newLead) this.lead(a, newLead.userId, newLead.max);
    a.price = amount;
    a.bidCount++;
    const bid: ModelBid = {
      id: this.state.bids.length + 1, auctionId: a.id, bidderId, amount, version: this.nextVersion(a), automatic, at: this.now,
    };
    this.state.bids.push(bid);
    const extend = a.softCloseMs !== null && this.now + a.softCloseMs - a.endsAt >= EXTEND_MIN_MS &&
      (amount !== previousPrice || a.leaderId !== previousLeaderId);
    if (extend) a.endsAt = this.now + a.softCloseMs!;
    this.events.push({
      type: 'bid', auction: a.id, version: bid.version, bidId: bid.id, bidderId, amount, automatic,
      price: amount, leaderId: a.leaderId!, previousLeaderId, bidCount: a.bidCount, endsAt: a.endsAt,
      minNextBid: nextBid(a), reserveMet: reserveMet(a),
    });
    if (extend) {
      this.events.push({ type: 'extended', auction: a.id, version: this.nextVersion(a), endsAt: a.endsAt, bidId: bid.id });
    }
    return bid;
  }

  /**
   * The finished step: the answer, then a `balance` event for every user whose
   * money changed, ascending id. A refusal changes nothing and says nothing.
   */
  finish(answer: Answer): Step {
    if (answer.code !== 'OK') return { state: this.before, answer, events: [] };
    for (const u of Object.values(this.state.users)) {
      const was = this.before.users[u.id];
      // A new user has no socket to tell yet; a changed one hears of it.
      if (!was || (was.balance === u.balance && was.held === u.held)) continue;
      this.events.push({ type: 'balance', to: u.id, balance: u.balance, held: u.held, available: available(u) });
    }
    return { state: this.state, answer, events: this.events };
  }
}

/** An accepted answer. */
export function ok(fields: Omit<Accepted, 'code'> = {}): Accepted {
  return { code: 'OK', ...fields };
}
