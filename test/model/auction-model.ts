// The reference model: neighborbid's auction rules written a second time, as
// small pure functions with no I/O. `apply(state, command)` gives the next
// state, the answer and the events, and is the executable statement of the
// rules (docs/rules.md explains each with worked examples). It is a test
// oracle: the property tests drive it and the real daemon with the same
// commands and compare answers, prices, leaders, holds, balances and
// settlements.
//
// THE RULES, AND EVERY CHOICE MADE WHERE eBay'S RULES ARE SILENT
//
//  1. A plain bid {amount: N} is a visible bid of exactly N. A maximum
//     {max: M} is hidden: the auction bids for its owner, one increment at a
//     time, only as far as it must. A maximum works only while its owner
//     leads; once outbid it is gone (bid again to come back).
//  2. Who may bid: the auction is open and now < endsAt (else AUCTION_CLOSED
//     {status}); not the seller (SELF_BID).
//  3. How much: every bid, plain or maximum, is at least minNextBid — the
//     start price before the first bid, then price + stepAt(price) — else
//     BID_TOO_LOW {minimum}. A leader's new maximum must also be above their
//     own: BID_TOO_LOW {minimum: max(minNextBid, yourMax + 1), yourMax}; a
//     maximum is never lowered.
//  4. Funds: available funds (plus the bidder's own hold here, if they lead)
//     cover N or the whole M, else INSUFFICIENT_FUNDS {available}. Checked
//     before the outcome is known, so no refusal depends on a hidden maximum.
//  5. Holds: the leader holds their maximum (a plain bid's maximum is its
//     amount; a leader's plain bid holds max(own maximum, N)). Nobody else
//     holds anything on the auction. Being outbid releases the whole hold.
//  6. The first bid: plain at N; a maximum at the start price, or at the
//     reserve if M reaches it.
//  7. A challenger above the leader's maximum m (price p): if m > p, the
//     leader's maximum is used up and shows as the leader's automatic bid at
//     m (`maxExhausted` to them). The challenger then leads: a plain bid at
//     N; a maximum at m + stepAt(m), or at M if that is less ("outbid by less
//     than an increment"), lifted to the reserve if M reaches it. The old
//     leader gets `outbid` {by: bid | max, released: m}.
//  8. A challenger at or below m: the bid stands as a visible bid at N (a
//     maximum is used up at its full amount) and the leader's maximum
//     answers at once with an automatic bid at min(N + stepAt(N), m). Equal
//     amounts: the earlier maximum leads, so the leader keeps it. The leader
//     gets `maxRaised` (and `maxExhausted` if the answer is m); the
//     challenger gets `outbid` {by: max, released: 0} — they never held.
//  9. The leader's plain bid: a visible bid at N (bidding against yourself,
//     as today); the hold becomes max(own maximum, N).
// 10. The leader's new maximum: the hold becomes M; no row, no event, no new
//     version, no extension. Except: when the price is below the reserve and
//     M reaches it, the price jumps to the reserve (a bid row, which extends
//     like any other).
// 11. Every bid row is a real bid with its own version; a row is `automatic`
//     when a maximum placed it in answer to someone else's command. The
//     price is always the amount of the latest row; rows never go down.
// 12. Soft close: a row that changes the price or the leader while
//     endsAt − now < window moves endsAt to now + window, and an `extended`
//     event follows its `bid` event. Automatic rows count. An end that would
//     move by less than a second stays (no event): one command extends at
//     most once (its later rows find the full window), and so do bids a
//     moment apart — the daemon's burst of transactions milliseconds apart
//     as much as the model's commands at one instant.
// 13. Reserve: hidden, ≥ startPrice. The auction shows hasReserve and
//     reserveMet (price ≥ reserve; without a reserve, any bid meets it).
//     While open, a leader's maximum at or above the reserve means the price
//     is at or above it.
// 14. Buy now (buyNowPrice ≥ reservePrice ≥ startPrice): offered while
//     `buyNowUntil` allows — "price": no bid has reached the buy-now price;
//     "firstBid": no bid row yet; "reserveMet": the reserve is not met (no
//     reserve: no bid yet). Else BUY_NOW_UNAVAILABLE {reason: no_buy_now |
//     price_reached | first_bid | reserve_met, buyNowUntil, buyNowPrice,
//     currentPrice}. The buyer's funds count their own hold here. The
//     leader's hold is released (`outbid` by buyNow), the buyer pays, the
//     seller is paid, status sold; a buy is not a bid row.
// 15. Cancel: only the seller or the admin (else FORBIDDEN); only before the
//     end (AUCTION_CLOSED); the seller only while nobody has bid
//     (CANNOT_CANCEL {bidCount}). The leader's hold is released (`outbid` by
//     cancel).
// 16. Settle (the closer, from endsAt on; bids are refused from endsAt even
//     before it runs): no bids → unsold, reason no_bids; price below the
//     reserve → unsold, reason reserve_not_met, hold released; else closed:
//     the winner pays the price (not their maximum), the rest of the hold is
//     released, the seller is paid. The public `closed` event has status,
//     winnerId, price (both null when unsold) and reason. Every bidder but
//     the winner (or the buyer, after a buy-now) gets a private `lost` with
//     the same price, winner and reason: below the reserve nobody won, so the
//     leader gets one too. (The daemon writes these on the closer's next
//     pass; the model right after the ending.)
// 17. Events: each public event (bid, extended, sold, closed, cancelled)
//     bumps the version by one, so versions are gapless. Private events
//     (outbid, maxRaised, maxExhausted) carry the version of the public event
//     they go with; a `balance` event per user whose balance or hold changed
//     ends the command's events, ascending user id. A refused command changes
//     nothing and emits nothing.
// 18. Privacy: a working maximum and the reserve price appear in no public
//     view, public event, or other user's private event. A used-up maximum is
//     an ordinary visible bid (rules 7 and 8).
// 19. Refusals come in this order: INVALID_INPUT, NOT_FOUND (auction, then
//     user), AUCTION_CLOSED, SELF_BID, BID_TOO_LOW / BUY_NOW_UNAVAILABLE,
//     INSUFFICIENT_FUNDS — as today's SQL does.
import { bid } from './bid.js';
import { buy } from './buy.js';
import { cancel, settle } from './close.js';
import { advance, createAuction, createUser, deposit } from './setup.js';
import { available, initialState, reserveMet, Tx } from './state.js';
import type { Answer, Command, ModelState, Step } from './types.js';

export { initialState, publicAuction, isRefused } from './state.js';
export type * from './types.js';

/** Applies one command: the next state, its answer and its events. The given state is not changed. */
export function apply(state: ModelState, command: Command): Step {
  const tx = new Tx(state);
  return tx.finish(dispatch(tx, command));
}

function dispatch(tx: Tx, c: Command): Answer {
  switch (c.kind) {
    case 'createUser': return createUser(tx, c);
    case 'deposit': return deposit(tx, c);
    case 'createAuction': return createAuction(tx, c);
    case 'bid': return bid(tx, c);
    case 'buy': return buy(tx, c);
    case 'cancel': return cancel(tx, c);
    case 'advance': return advance(tx, c);
    case 'settle': return settle(tx);
  }
}

/** Applies commands in order; every step is kept. */
export function run(commands: Command[], state: ModelState = initialState()): { state: ModelState; steps: Step[] } {
  const steps: Step[] = [];
  for (const c of commands) {
    const step = apply(state, c);
    steps.push(step);
    state = step.state;
  }
  return { state, steps };
}

/** What a comparison with the real daemon looks at, per user and per auction (hidden fields included). */
export interface Observation {
  users: { id: number; balance: number; held: number; available: number }[];
  auctions: {
    id: number; status: string; price: number | null; leaderId: number | null; leaderMax: number | null;
    bidCount: number; version: number; endsAt: number; reserveMet: boolean; unsoldReason: string | null;
  }[];
}

/** The facts to compare, ascending ids. */
export function observe(state: ModelState): Observation {
  return {
    users: Object.values(state.users).map((u) => ({ id: u.id, balance: u.balance, held: u.held, available: available(u) })),
    auctions: Object.values(state.auctions).map((a) => ({
      id: a.id, status: a.status, price: a.price, leaderId: a.leaderId,
      leaderMax: a.status === 'open' ? a.leaderMax : null, bidCount: a.bidCount, version: a.version,
      endsAt: a.endsAt, reserveMet: reserveMet(a),
      unsoldReason: a.unsoldReason,
    })),
  };
}

/** One line of GET /v1/me/bids: an auction the user has bid on, as they see it. */
export interface MyBid {
  auction: number;
  status: string;
  price: number | null;
  leading: boolean;
  /** Their working maximum while they lead; else their highest bid, which is public. */
  yourMax: number;
  endsAt: number;
}

/** The auctions `userId` has bid on, ascending id. */
export function myBids(state: ModelState, userId: number): MyBid[] {
  const highest = new Map<number, number>();
  for (const b of state.bids) {
    if (b.bidderId === userId) highest.set(b.auctionId, Math.max(highest.get(b.auctionId) ?? 0, b.amount));
  }
  return [...highest.keys()].sort((p, q) => p - q).map((id) => {
    const a = state.auctions[id]!;
    const leading = a.leaderId === userId && (a.status === 'open' || a.status === 'closed');
    return {
      auction: id, status: a.status, price: a.price, leading,
      yourMax: leading && a.leaderMax !== null ? a.leaderMax : highest.get(id)!, endsAt: a.endsAt,
    };
  });
}
