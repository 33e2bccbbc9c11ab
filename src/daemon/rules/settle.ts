// Buy-now, cancel and settlement at close: each one SQL function call, one
// round trip, so row locks are held only for the work itself.
import { toNbError, withRetry, type Sql } from '../db/database.js';
import type { IdempotencyContext } from './idempotency.js';
import { completeOutcome, type Outcome, type RuleResult } from './outcome.js';
import type { Publisher } from './publisher.js';

async function runRule(publisher: Publisher, call: () => Promise<{ r: RuleResult }[]>): Promise<Outcome> {
  let result: RuleResult;
  try {
    const [row] = await withRetry(call);
    result = row!.r;
  } catch (err) {
    throw toNbError(err);
  }
  publisher.publish(result.events);
  return completeOutcome(result.results[0]!);
}

/** Buys an auction at its buy-now price. */
export function buyNow(sql: Sql, publisher: Publisher, auctionId: number, buyerId: number, idem: IdempotencyContext): Promise<Outcome> {
  return runRule(publisher, () => sql<{ r: RuleResult }[]>`
    SELECT nb_buy_now(${auctionId}, ${buyerId}, ${idem.key ?? null}, ${idem.hash}) AS r`);
}

/** Cancels an auction; callerId null means the admin. */
export function cancelAuction(
  sql: Sql,
  publisher: Publisher,
  auctionId: number,
  callerId: number | null,
  idem: IdempotencyContext,
): Promise<Outcome> {
  return runRule(publisher, () => sql<{ r: RuleResult }[]>`
    SELECT nb_cancel(${auctionId}, ${callerId}, ${idem.key ?? null}, ${idem.hash}) AS r`);
}

/** Settles up to `limit` auctions past their end; returns how many it settled. */
export async function settleDue(sql: Sql, publisher: Publisher, limit = 100): Promise<number> {
  const [row] = await withRetry(() => sql<{ r: Pick<RuleResult, 'events'> }[]>`
    SELECT nb_settle_due(${limit}) AS r`);
  const events = row!.r.events;
  publisher.publish(events);
  return events.length;
}
