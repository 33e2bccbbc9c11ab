// Private events: the `outbid` and `balance` events a committed change owes to
// the users it touched, made from the outbox row's private part (or from a
// deposit). They go to that user's sockets only, live; they are not replayed.
import type { BalanceEvent, OutbidEvent, PrivateEvent } from '../../protocol/events.js';
import type { OutboxEvent } from '../rules/outcome.js';
import type { BalanceChange } from '../rules/publisher.js';

/** A private event and the user it is for. */
export interface Addressed {
  userId: number;
  event: PrivateEvent;
}

/** The private events one committed outbox row owes. */
export function privateEventsOf(row: OutboxEvent): Addressed[] {
  const p = row.private;
  if (!p) return [];
  const e = row.payload;
  const out: Addressed[] = [];
  // A cancelled auction releases its leader's hold too, but nobody outbid them:
  // the public `cancelled` event and the balance event say what happened.
  if (p.outbid && (e.type === 'bid' || e.type === 'sold')) {
    const event: OutbidEvent = {
      type: 'outbid',
      auction: e.auction,
      version: e.version,
      at: e.at,
      price: e.price,
      leaderId: e.leaderId,
      released: p.outbid.released,
    };
    out.push({ userId: p.outbid.userId, event });
  }
  for (const b of p.balances ?? []) out.push(balanceOf(b, e.at));
  return out;
}

/** Balance events for changes no auction event carries (deposits). */
export function balanceEvents(changes: BalanceChange[], at: string): Addressed[] {
  return changes.map((c) => balanceOf(c, at));
}

function balanceOf(c: BalanceChange, at: string): Addressed {
  const event: BalanceEvent = {
    type: 'balance',
    userId: c.userId,
    balance: c.balance,
    held: c.held,
    available: c.balance - c.held,
    at,
  };
  return { userId: c.userId, event };
}
