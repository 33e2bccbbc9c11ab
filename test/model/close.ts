// How an auction ends without a buy-now: cancelled by its seller or the
// admin, or settled by the closer once its end has come.
import { isLive, ok, publicAuction, refuse, type Tx } from './state.js';
import type { Answer, ModelAuction, UnsoldReason } from './types.js';

/** Cancels an open auction: the seller while nobody has bid, the admin any time before the end. */
export function cancel(tx: Tx, cmd: { auction: number; by: number | 'admin' }): Answer {
  const a = tx.auction(cmd.auction);
  if (!a) return refuse('NOT_FOUND', { auction: cmd.auction });
  if (cmd.by !== 'admin' && cmd.by !== a.sellerId) return refuse('FORBIDDEN');
  // Past its end an auction belongs to the closer: its leader has already won.
  if (!isLive(a, tx.now)) return refuse('AUCTION_CLOSED', { status: a.status });
  if (cmd.by !== 'admin' && a.bidCount > 0) return refuse('CANNOT_CANCEL', { bidCount: a.bidCount });

  const previousLeaderId = a.leaderId;
  const released = tx.releaseHold(a);
  a.status = 'cancelled';
  const version = tx.nextVersion(a);
  tx.events.push({ type: 'cancelled', auction: a.id, version, status: 'cancelled', previousLeaderId, endsAt: a.endsAt });
  if (previousLeaderId !== null) {
    tx.events.push({ type: 'outbid', to: previousLeaderId, auction: a.id, version, by: 'cancel', price: null, leaderId: null, released });
  }
  return ok({ auction: publicAuction(a, tx.now) });
}

/** The closer: settles every open auction whose end has come, ascending id. */
export function settle(tx: Tx): Answer {
  const due = Object.values(tx.state.auctions)
    .filter((a) => a.status === 'open' && a.endsAt <= tx.now)
    .sort((p, q) => p.id - q.id);
  for (const a of due) settleOne(tx, a);
  return ok({ settled: due.map((a) => a.id) });
}

/**
 * The leader wins at the price (not at their maximum) if the price reached
 * the reserve: the hold is released, the price charged, the seller paid.
 * Otherwise the auction is unsold and the leader's hold released.
 */
function settleOne(tx: Tx, a: ModelAuction): void {
  const leaderId = a.leaderId;
  tx.releaseHold(a);
  let reason: UnsoldReason | null = null;
  if (leaderId === null) reason = 'no_bids';
  else if (a.reservePrice !== null && a.price! < a.reservePrice) reason = 'reserve_not_met';
  if (reason === null) {
    tx.user(leaderId!)!.balance -= a.price!;
    tx.user(a.sellerId)!.balance += a.price!;
    a.status = 'closed';
  } else {
    a.status = 'unsold';
    a.unsoldReason = reason;
  }
  const winnerId = reason === null ? leaderId : null;
  const price = reason === null ? a.price : null;
  const version = tx.nextVersion(a);
  tx.events.push({ type: 'closed', auction: a.id, version, status: a.status, winnerId, price, reason, endsAt: a.endsAt });
  tx.tellLosers(a, version, winnerId, price, reason);
}
