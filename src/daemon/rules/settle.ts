// Buy-now, cancel and settlement at close: each one SQL function call, one
// round trip, so row locks are held only for the work itself.
import { toNbError, withRetry, type Sql } from '../db/database.js';
import type { IdempotencyContext } from './idempotency.js';
import { toOutcome, type Outcome, type RuleResult } from './outcome.js';
import type { Publisher } from './publisher.js';
import { RULES_VERSION } from './sql/index.js';

/** Runs one rule's call (retried on deadlocks), publishes its events and answers with `success` or its refusal. */
async function runRule(publisher: Publisher, success: number, call: () => Promise<{ r: RuleResult }[]>): Promise<Outcome> {
  let result: RuleResult;
  try {
    const [row] = await withRetry(call);
    result = row!.r;
  } catch (err) {
    throw toNbError(err);
  }
  publisher.publish(result.events);
  return toOutcome(result.results[0]!, success);
}

/** Buys an auction at its buy-now price. */
export function buyNow(sql: Sql, publisher: Publisher, auctionId: number, buyerId: number, idem: IdempotencyContext): Promise<Outcome> {
  return runRule(publisher, 200, () => sql<{ r: RuleResult }[]>`
    SELECT nb_buy_now(${auctionId}, ${buyerId}, ${idem.key ?? null}, ${idem.hash}, ${RULES_VERSION}) AS r`);
}

/** Cancels an auction; callerId null means the admin. */
export function cancelAuction(
  sql: Sql,
  publisher: Publisher,
  auctionId: number,
  callerId: number | null,
  idem: IdempotencyContext,
): Promise<Outcome> {
  return runRule(publisher, 200, () => sql<{ r: RuleResult }[]>`
    SELECT nb_cancel(${auctionId}, ${callerId}, ${idem.key ?? null}, ${idem.hash}, ${RULES_VERSION}) AS r`);
}

/** Settles up to `limit` auctions past their end; returns how many it settled. */
export async function settleDue(sql: Sql, publisher: Publisher, limit = 100): Promise<number> {
  const [row] = await withRetry(() => sql<{ r: Pick<RuleResult, 'events'> }[]>`
    SELECT nb_settle_due(${limit}, ${RULES_VERSION}) AS r`);
  const events = row!.r.events;
  publisher.publish(events);
  return events.length;
}
