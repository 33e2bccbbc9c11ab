// The open-loop smoke of `bench load`: a sweep of two tiny rates through the
// scenario's own function — watchers in their own processes, bids written at
// their slots — checking correctness only (tests do not judge speed): every
// delivery once, in order, after its commit; every slot accounted for; the
// knee and the charts in the report; and a rate over the bidders' WebSockets
// (--bids-over ws), where every bid must be answered by its own reply.
import { afterAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../bench/harness/daemons.js';
import { Progress } from '../../bench/harness/progress.js';
import { runLoad } from '../../bench/scenarios/load.js';
import type { PhaseResult } from '../../bench/scenarios/load-types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase | undefined;

afterAll(async () => {
  await stopAll();
  await db?.drop();
});

/** Every slot written or dropped, every written bid answered, every delivery once, in order, after its commit. */
function expectSound(r: PhaseResult, durationSec: number): void {
  const ol = r.bids.openLoop!;
  // rate × duration slots, each written or dropped, each written one answered.
  expect(ol.slots).toBe(r.offeredPerSec! * durationSec);
  const answered = r.bids.accepted + Object.values(r.bids.refused).reduce((a, b) => a + b, 0);
  expect(answered + ol.dropped + ol.unanswered + r.bids.transportErrors).toBe(ol.slots);
  expect([ol.unanswered, r.bids.transportErrors]).toEqual([0, 0]);
  expect(Object.keys(r.bids.refused).filter((code) => code !== 'BID_TOO_LOW')).toEqual([]);
  expect(r.bids.accepted).toBeGreaterThan(0);
  const d = r.deliveries;
  expect(d.count).toBeGreaterThan(0);
  expect([d.lost, d.duplicates, d.outOfOrder, d.mismatched, d.incomplete, d.unseen, d.phantom]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  if (!process.env.DATABASE_URL) {
    // The embedded server keeps commit timestamps: every delivery timed from its commit, none before it.
    expect(d.latency?.count).toBe(d.count);
    expect([d.beforeCommit, d.untimed]).toEqual([0, 0]);
  }
}

describe('bench load --rate-sweep (smoke: 8 users × 3 of 6 auctions, 10 then 20 bids/s for 2 s)', () => {
  it('delivers every committed event once, in order and after its commit, at every rate, and accounts for every slot', async () => {
    db = await createTestDatabase();
    const report = await runLoad(
      { databaseUrl: db.url, progress: new Progress(true) },
      { users: 8, perUser: 3, auctions: 6, durationSec: 2, bidders: 5, rates: [10, 20], concurrency: 8 },
    );
    expect(report.problems).toEqual([]);
    const runs = (report.details as { runs: PhaseResult[] }).runs;
    expect(runs.map((r) => [r.mode, r.offeredPerSec, r.users, r.sockets, r.subscriptions])).toEqual([
      ['multiplexed', 10, 8, 8, 24],
      ['multiplexed', 20, 8, 8, 24],
    ]);
    for (const r of runs) expectSound(r, 2);
    expect(report.markdown).toContain('**Open loop, by offered rate**');
    expect(report.markdown).toMatch(/\*\*The knee: (none|\d+ bids\/s offered)\*\*/);
    expect(report.charts?.map((c) => c.name)).toEqual(['latency-vs-offered', 'deliveries-vs-latency']);
  });
});

describe('bench load --rate --bids-over ws (smoke: 8 users × 3 of 6 auctions, 20 bids/s for 2 s over 5 bidders\' sockets)', () => {
  it('writes every bid on its bidder\'s socket and has every one answered by its reply, while every delivery checks out', async () => {
    db ??= await createTestDatabase();
    const report = await runLoad(
      { databaseUrl: db.url, progress: new Progress(true) },
      { users: 8, perUser: 3, auctions: 6, durationSec: 2, bidders: 5, rates: [20], concurrency: 8, bidsOver: 'ws' },
    );
    expect(report.problems).toEqual([]);
    expect(report.options.bidsOver).toBe('ws');
    expect(report.markdown).toContain("fires bids over the daemon's WebSocket at a fixed rate, one socket per bidder (5,");
    const [r, ...more] = (report.details as { runs: PhaseResult[] }).runs;
    expect(more).toEqual([]);
    // The bidders' sockets are not watchers: the daemon's socket count, taken before they open, and the deliveries are the watchers' alone.
    expect([r!.offeredPerSec, r!.sockets, r!.subscriptions]).toEqual([20, 8, 24]);
    expectSound(r!, 2);
    // One socket per bidder (HTTP would have opened 8 connections for this rate).
    expect(r!.bids.openLoop!.peakConnections).toBe(5);
    expect(r!.bids.openLoop!.dropped).toBe(0);
  });
});
