// The bid rule: plain bids `{amount}` and maximum bids `{max}`, and the proxy
// that answers for a leader's maximum. The rule decisions are listed in
// auction-model.ts and docs/rules.md; the comments here say how each is made.
import { isMoney } from '../../src/protocol/money.js';
import { stepAt } from '../../src/protocol/increments.js';
import { available, isLive, nextBid, ok, publicAuction, refuse, type Tx } from './state.js';
import type { Answer, ModelAuction, ModelBid } from './types.js';

export interface BidCommand {
  auction: number;
  user: number;
  body: { amount: number } | { max: number };
}

/** Places a plain bid or a maximum. */
export function bid(tx: Tx, cmd: BidCommand): Answer {
  const isMax = 'max' in cmd.body;
  const n = 'max' in cmd.body ? cmd.body.max : cmd.body.amount;
  if (!isMoney(n) || n === 0) return refuse('INVALID_INPUT', { field: isMax ? 'max' : 'amount' });
  const a = tx.auction(cmd.auction);
  if (!a) return refuse('NOT_FOUND', { auction: cmd.auction });
  const u = tx.user(cmd.user);
  if (!u) return refuse('NOT_FOUND', { user: cmd.user });
  if (!isLive(a, tx.now)) return refuse('AUCTION_CLOSED', { status: a.status });
  if (u.id === a.sellerId) return refuse('SELF_BID');

  // Every check below uses only what the bidder may know: the public price,
  // their own maximum and their own funds. A leader's hidden maximum decides
  // what a bid does, never whether it is accepted.
  const leads = a.leaderId === u.id;
  const ownMax = leads ? a.leaderMax! : 0;
  const min = nextBid(a);
  if (leads && isMax) {
    // A leader's new maximum must beat the public minimum and their own maximum.
    const minimum = min === null ? null : Math.max(min, ownMax + 1);
    if (minimum === null || n < minimum) return refuse('BID_TOO_LOW', { minimum, yourMax: ownMax });
  } else if (min === null || n < min) {
    return refuse('BID_TOO_LOW', { minimum: min });
  }
  const funds = available(u) + ownMax;
  if (funds < n) return refuse('INSUFFICIENT_FUNDS', { available: funds });

  const firstRow = tx.state.bids.length;
  let own: ModelBid | null;
  if (!leads) own = challenge(tx, a, u.id, n, isMax);
  else if (isMax) own = raiseOwnMax(tx, a, u.id, n);
  else own = tx.row(a, u.id, n, false, { userId: u.id, max: Math.max(ownMax, n) });

  const leading = a.leaderId === u.id;
  return ok({
    auction: publicAuction(a, tx.now),
    bid: own,
    bids: tx.state.bids.slice(firstRow),
    leading,
    yourMax: leading ? a.leaderMax : null,
  });
}

/**
 * A bid by someone who does not lead. Against a leader's maximum it is
 * compared with that maximum: above it, it takes the lead; at or below it,
 * it stands as a visible bid and the maximum answers at once.
 */
function challenge(tx: Tx, a: ModelAuction, bidderId: number, n: number, isMax: boolean): ModelBid {
  if (a.leaderId === null) {
    // The first bid: a maximum opens at the start price (or the reserve it reaches).
    const price = isMax ? withReserve(a, a.startPrice, n) : n;
    return tx.row(a, bidderId, price, false, { userId: bidderId, max: n });
  }
  const leaderId = a.leaderId;
  const leaderMax = a.leaderMax!;

  if (n > leaderMax) {
    // The leader's maximum is used up: it shows as their bid at its full amount.
    if (leaderMax > a.price!) {
      const shown = tx.row(a, leaderId, leaderMax, true);
      tx.events.push({ type: 'maxExhausted', to: leaderId, auction: a.id, version: shown.version, max: leaderMax });
    }
    // A maximum leads by one step over the old maximum (or by less, if that is all it has),
    // and at least at the reserve it reaches; a plain bid stands at its amount.
    const price = isMax ? withReserve(a, Math.min(n, leaderMax + stepAt(a.increments, leaderMax)), n) : n;
    const own = tx.row(a, bidderId, price, false, { userId: bidderId, max: n });
    tx.events.push({
      type: 'outbid', to: leaderId, auction: a.id, version: own.version, by: isMax ? 'max' : 'bid',
      price, leaderId: bidderId, released: leaderMax,
    });
    return own;
  }

  // At or below the leader's maximum: the bid stands (a maximum is used up at
  // its full amount), and the maximum answers one step above it, never above
  // itself. A tie goes to the leader, whose maximum came first.
  const own = tx.row(a, bidderId, n, false);
  const answer = Math.min(n + stepAt(a.increments, n), leaderMax);
  const auto = tx.row(a, leaderId, answer, true);
  tx.events.push({ type: 'maxRaised', to: leaderId, auction: a.id, version: auto.version, price: answer, max: leaderMax });
  if (answer === leaderMax) {
    tx.events.push({ type: 'maxExhausted', to: leaderId, auction: a.id, version: auto.version, max: leaderMax });
  }
  tx.events.push({
    type: 'outbid', to: bidderId, auction: a.id, version: auto.version, by: 'max',
    price: answer, leaderId, released: 0,
  });
  return own;
}

/**
 * The leader raises their own maximum: the hold grows, the price stays, no
 * row and no event, so the auction is not extended. One exception: a
 * maximum that reaches a reserve the price is still below lifts the price to
 * the reserve, which is a real bid (and extends like one).
 */
function raiseOwnMax(tx: Tx, a: ModelAuction, leaderId: number, max: number): ModelBid | null {
  const price = withReserve(a, a.price!, max);
  if (price > a.price!) return tx.row(a, leaderId, price, false, { userId: leaderId, max });
  tx.lead(a, leaderId, max);
  return null;
}

/** A price a maximum would lead at, lifted to the reserve when the maximum reaches it. */
function withReserve(a: ModelAuction, price: number, max: number): number {
  return a.reservePrice !== null && max >= a.reservePrice ? Math.max(price, a.reservePrice) : price;
}
