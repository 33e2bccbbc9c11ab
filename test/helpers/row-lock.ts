// An auction's row held by a transaction of the test's own, so that the
// daemon's bids on it queue up and cannot commit until the test releases it:
// for showing that nothing is answered before commit, and for making bids
// commit together.
import postgres from 'postgres';
import { waitFor } from './poll.js';

export interface HeldRow {
  /** Resolves once a daemon transaction waits for the row (its bids are in the database's hands). */
  waitedOn(ms?: number): Promise<void>;
  /** Commits the holding transaction: the waiting bids go on. */
  release(): Promise<void>;
}

/** Takes the auction's row lock (FOR UPDATE) in a transaction that stays open until `release`. */
export async function holdAuctionRow(databaseUrl: string, auction: number): Promise<HeldRow> {
  // Two connections: the holder, and one to look at pg_stat_activity while it holds.
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const holder = await sql.reserve();
  await holder`BEGIN`;
  await holder`SELECT id FROM auctions WHERE id = ${auction} FOR UPDATE`;
  let released = false;
  return {
    async waitedOn(ms = 30_000) {
      await waitFor(async () => {
        const [row] = await sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND application_name LIKE 'neighborbid:%' AND wait_event_type = 'Lock'`;
        return row!.n > 0;
      }, ms, 'a daemon transaction waiting on the auction row');
    },
    async release() {
      if (released) return;
      released = true;
      await holder`COMMIT`;
      holder.release();
      await sql.end();
    },
  };
}
