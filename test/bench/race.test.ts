// The race smoke of the bench (issue 6): a short `race` through the scenario's
// own function, not timing anything. The daemon must show zero violations;
// the naive check-then-write must be caught double-spending, proof that the
// race is real and that the checks can fail.
import { afterAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../bench/harness/daemons.js';
import { Progress } from '../../bench/harness/progress.js';
import { raceCheck, violationCount } from '../../bench/scenarios/race.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const quiet = new Progress(true);
const dbs: TestDatabase[] = [];

async function freshEnv() {
  const db = await createTestDatabase();
  dbs.push(db);
  return { databaseUrl: db.url, progress: quiet };
}

afterAll(async () => {
  await stopAll();
  for (const db of dbs) await db.drop();
});

describe('bench race (smoke: 20 users × 5 auctions)', () => {
  it('finds no violation against two daemon processes: one winning bid per user, nothing overspent, audit clean', async () => {
    // Half the bids maxima of the whole balance (the default): each holds all of it, so the race is the same.
    const { runs } = await raceCheck(await freshEnv(), { users: 20, auctionsPerUser: 5, daemons: 2, baseline: false, maxShare: 0.5 });
    const run = runs[0]!;
    expect(run.target).toBe('daemon');
    expect(run.bids).toBe(100);
    expect(run.answers).toEqual({ accepted: 20, INSUFFICIENT_FUNDS: 80 });
    expect(run.violations).toEqual([]);
    expect(run.auditViolations).toBe(0);
    expect(run.doubleSpenders).toBe(0);
  });

  it('catches the naive check-then-write double-spending', async () => {
    const { runs } = await raceCheck(await freshEnv(), { users: 20, auctionsPerUser: 5, target: 'naive' });
    const run = runs[0]!;
    expect(run.target).toBe('naive');
    expect(run.doubleSpenders).toBeGreaterThan(0);
    expect(run.violations.some((v) => v.kind === 'overspent')).toBe(true);
    expect(run.auditViolations).toBeGreaterThan(0);
    expect(violationCount(run)).toBeGreaterThan(0);
  });
});
