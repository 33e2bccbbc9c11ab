// Reading what maximum bids did, for the rule tests: an auction's bid rows as
// [bidder, amount, automatic] (the notation of docs/rules.md), the hidden
// columns only the audit reads, and the private parts of its outbox rows.
import type { Sql } from '../../src/daemon/db/database.js';

/** The auction's bid rows in version order, as [bidder, amount, automatic]. */
export async function bidRows(sql: Sql, auctionId: number): Promise<[number, number, boolean][]> {
  const rows = await sql<{ bidder_id: number; amount: number; automatic: boolean }[]>`
    SELECT bidder_id, amount, automatic FROM bids WHERE auction_id = ${auctionId} ORDER BY version`;
  return rows.map((r) => [r.bidder_id, r.amount, r.automatic]);
}

/** The hidden state of an auction: the leader's maximum and the reserve. */
export async function hiddenState(sql: Sql, auctionId: number): Promise<{ leaderMax: number | null; reservePrice: number | null }> {
  const [row] = await sql<{ leaderMax: number | null; reservePrice: number | null }[]>`
    SELECT leader_max AS "leaderMax", reserve_price AS "reservePrice" FROM auctions WHERE id = ${auctionId}`;
  return row!;
}

/** Moves an auction's end to `sec` seconds from now: the test's hook for the clock (the daemon's is real). */
export async function endIn(sql: Sql, auctionId: number, sec: number): Promise<void> {
  await sql`UPDATE auctions SET ends_at = date_trunc('milliseconds', now() + make_interval(secs => ${sec})) WHERE id = ${auctionId}`;
}
