// The model's own audit: what must hold after every command, whatever the
// commands were. Each violation is a sentence; an empty list is a clean audit.
import { isMoney } from '../../src/protocol/money.js';
import type { ModelEvent, ModelState, PublicEvent } from './types.js';

/** Checks money and auctions in one state. */
export function auditState(s: ModelState): string[] {
  const out: string[] = [];
  const leading = new Map<number, number>();
  for (const a of Object.values(s.auctions)) {
    if (a.status !== 'open' || a.leaderId === null) continue;
    leading.set(a.leaderId, (leading.get(a.leaderId) ?? 0) + (a.leaderMax ?? 0));
    const p = a.price!;
    if (a.leaderMax === null || p > a.leaderMax) out.push(`auction ${a.id}: price ${p} above the leader's maximum ${a.leaderMax}`);
    if (p < a.startPrice) out.push(`auction ${a.id}: price ${p} below the start price ${a.startPrice}`);
    if (a.reservePrice !== null && a.leaderMax !== null && a.leaderMax >= a.reservePrice && p < a.reservePrice) {
      out.push(`auction ${a.id}: the leader's maximum reaches the reserve but the price ${p} is below it`);
    }
  }
  let total = 0;
  for (const u of Object.values(s.users)) {
    total += u.balance;
    if (!isMoney(u.balance) || !isMoney(u.held) || u.held > u.balance) out.push(`user ${u.id} is overdrawn: ${u.balance}/${u.held}`);
    const want = leading.get(u.id) ?? 0;
    if (u.held !== want) out.push(`user ${u.id} holds ${u.held} but leads open auctions with maxima of ${want}`);
  }
  if (total !== s.supply) out.push(`balances total ${total} but ${s.supply} was deposited`);
  for (const a of Object.values(s.auctions)) {
    const rows = s.bids.filter((b) => b.auctionId === a.id);
    if (rows.length !== a.bidCount) out.push(`auction ${a.id} counts ${a.bidCount} bids but has ${rows.length} rows`);
    if (rows.some((b, i) => i > 0 && b.amount < rows[i - 1]!.amount)) out.push(`auction ${a.id}: a bid row went down`);
    const last = rows.at(-1);
    if (a.status === 'open' || a.status === 'closed') {
      if ((last?.amount ?? null) !== a.price) out.push(`auction ${a.id}: price ${a.price} is not its latest bid`);
      if ((last?.bidderId ?? null) !== a.leaderId) out.push(`auction ${a.id}: leader ${a.leaderId} did not make its latest bid`);
    }
    if (a.status === 'sold' && a.price !== a.buyNowPrice) out.push(`auction ${a.id} sold at ${a.price}, not its buy-now price`);
  }
  return out;
}

/** Versions of one auction's public events, in emission order, must run 1, 2, 3, … with no gap. */
export function versionGaps(events: ModelEvent[]): string[] {
  const last = new Map<number, number>();
  const out: string[] = [];
  for (const e of events) {
    if (!isPublic(e)) continue;
    const want = (last.get(e.auction) ?? 0) + 1;
    if (e.version !== want) out.push(`auction ${e.auction}: version ${e.version} where ${want} was due`);
    last.set(e.auction, e.version);
  }
  return out;
}

export function isPublic(e: ModelEvent): e is PublicEvent {
  return !('to' in e);
}
