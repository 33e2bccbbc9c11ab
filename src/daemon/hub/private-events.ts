// Private events: the `maxRaised`, `maxExhausted`, `outbid` and `balance`
// events a committed change owes to the users it touched, made from the outbox
// row's private part (or from a change no outbox row carries: a deposit, a
// leader raising their own maximum). They go to that user's sockets only,
// live; they are not replayed.
import type { BalanceEvent, MaxExhaustedEvent, MaxRaisedEvent, OutbidEvent, PrivateEvent } from '../../protocol/events.js';
import type { OutboxEvent } from '../rules/outcome.js';
import type { BalanceChange } from '../rules/publisher.js';

/** A private event and the user it is for. */
export interface Addressed {
  userId: number;
  event: PrivateEvent;
}

/** The private events one committed outbox row owes, in the order the rules list them. */
export function privateEventsOf(row: OutboxEvent): Addressed[] {
  const p = row.private;
  if (!p) return [];
  const e = row.payload;
  const out: Addressed[] = [];
  if (p.maxRaised && e.type === 'bid') {
    const event: MaxRaisedEvent = {
      type: 'maxRaised', auction: e.auction, version: e.version, at: e.at, price: e.price, max: p.maxRaised.max,
    };
    out.push({ userId: p.maxRaised.userId, event });
  }
  if (p.maxExhausted && e.type === 'bid') {
    const event: MaxExhaustedEvent = { type: 'maxExhausted', auction: e.auction, version: e.version, at: e.at, max: p.maxExhausted.max };
    out.push({ userId: p.maxExhausted.userId, event });
  }
  if (p.outbid && (e.type === 'bid' || e.type === 'sold' || e.type === 'cancelled')) {
    const event: OutbidEvent = {
      type: 'outbid',
      auction: e.auction,
      version: e.version,
      at: e.at,
      // Rows written before rules version 2 name no cause: a bid or a buy-now.
      by: p.outbid.by ?? (e.type === 'sold' ? 'buyNow' : 'bid'),
      price: e.type === 'cancelled' ? null : e.price,
      leaderId: e.type === 'cancelled' ? null : e.leaderId,
      released: p.outbid.released,
    };
    out.push({ userId: p.outbid.userId, event });
  }
  for (const b of p.balances ?? []) out.push(balanceOf(b, e.at));
  return out;
}

/** Balance events for changes no auction event carries (deposits, a raised maximum). */
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
