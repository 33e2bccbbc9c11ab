// Buy now: the buyer pays the buy-now price at once and the auction is sold,
// while the auction's `buyNowUntil` still offers it.
import { available, buyNowRefusal, isLive, ok, publicAuction, refuse, type Tx } from './state.js';
import type { Answer } from './types.js';

/** Buys an auction at its buy-now price. */
export function buy(tx: Tx, cmd: { auction: number; user: number }): Answer {
  const a = tx.auction(cmd.auction);
  if (!a) return refuse('NOT_FOUND', { auction: cmd.auction });
  const buyer = tx.user(cmd.user);
  if (!buyer) return refuse('NOT_FOUND', { user: cmd.user });
  if (!isLive(a, tx.now)) return refuse('AUCTION_CLOSED', { status: a.status });
  if (buyer.id === a.sellerId) return refuse('SELF_BID');
  const reason = buyNowRefusal(a);
  if (reason !== null) {
    return refuse('BUY_NOW_UNAVAILABLE', { reason, buyNowUntil: a.buyNowUntil, buyNowPrice: a.buyNowPrice, currentPrice: a.price });
  }
  const price = a.buyNowPrice!;
  // The buyer's own hold here (their maximum, if they lead) is released first, so it counts.
  const funds = available(buyer) + (a.leaderId === buyer.id ? a.leaderMax! : 0);
  if (funds < price) return refuse('INSUFFICIENT_FUNDS', { available: funds });

  const previousLeaderId = a.leaderId;
  const released = tx.releaseHold(a);
  buyer.balance -= price;
  tx.user(a.sellerId)!.balance += price;
  a.status = 'sold';
  a.price = price;
  a.leaderId = buyer.id;
  const version = tx.nextVersion(a);
  tx.events.push({
    type: 'sold', auction: a.id, version, status: 'sold', buyerId: buyer.id, price, leaderId: buyer.id,
    previousLeaderId, endsAt: a.endsAt,
  });
  if (previousLeaderId !== null && previousLeaderId !== buyer.id) {
    tx.events.push({ type: 'outbid', to: previousLeaderId, auction: a.id, version, by: 'buyNow', price, leaderId: buyer.id, released });
  }
  tx.tellLosers(a, version, buyer.id, price, null);
  return ok({ auction: publicAuction(a, tx.now) });
}
