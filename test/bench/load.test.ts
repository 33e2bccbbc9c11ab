// The load smoke of the bench (issue 6): a tiny `load` through the scenario's
// own function — watchers in their own processes, autocannon bidding, both
// socket modes — timing nothing: every delivery must check out against the
// outbox, and the report must say so.
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../bench/harness/daemons.js';
import { runLoad } from '../../bench/scenarios/load.js';
import type { PhaseResult } from '../../bench/scenarios/load-types.js';
import { Progress } from '../../bench/harness/progress.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase | undefined;

afterAll(async () => {
  await stopAll();
  await db?.drop();
});

describe('bench load (smoke: 20 users × 5 of 10 auctions, then 8 users × 5 sockets)', () => {
  it('delivers every committed event to every watcher once, in order, in both socket modes', async () => {
    db = await createTestDatabase();
    const report = await runLoad(
      { databaseUrl: db.url, progress: new Progress(true) },
      { users: 20, perUser: 5, auctions: 10, concurrency: 4, durationSec: 2, bidders: 10, sockets: 'per-auction', perAuctionUsers: 8, baseline: false },
    );
    expect(report.problems).toEqual([]);
    const sql = postgres(db.url, { max: 1 });
    const [{ v }] = (await sql`SELECT current_setting('track_commit_timestamp') AS v`) as unknown as [{ v: string }];
    await sql.end();
    // The embedded server of `npm test` keeps them; a DATABASE_URL server may not.
    const keepsCommitTimes = v === 'on';
    if (!process.env.DATABASE_URL) expect(keepsCommitTimes).toBe(true);
    const runs = (report.details as { runs: PhaseResult[] }).runs;
    expect(runs.map((r) => [r.mode, r.users, r.sockets, r.subscriptions])).toEqual([
      ['multiplexed', 20, 20, 100],
      ['per-auction', 8, 40, 40],
    ]);
    for (const r of runs) {
      expect(r.bids.accepted).toBeGreaterThan(0);
      expect(r.deliveries.count).toBeGreaterThan(0);
      const d = r.deliveries;
      expect([d.lost, d.duplicates, d.outOfOrder, d.mismatched, d.incomplete, d.unseen, d.phantom]).toEqual([0, 0, 0, 0, 0, 0, 0]);
      if (keepsCommitTimes) {
        // Every delivery timed from its transaction's commit, and none came before it.
        expect(d.latency?.count).toBe(d.count);
        expect([d.beforeCommit, d.untimed]).toEqual([0, 0]);
      } else {
        expect(d.latency).toBeNull();
      }
    }
    expect(report.markdown).toContain('| multiplexed | per-auction |');
  });
});
