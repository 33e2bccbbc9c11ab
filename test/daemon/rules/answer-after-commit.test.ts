// Issue 9: a 201 is never sent before its commit. Two ways to hold a commit
// back while bids are in flight over HTTP: another transaction holding the
// auction's row lock (the bids cannot even be decided), and a deferred
// constraint trigger that sleeps at COMMIT (the bids are decided and their
// rows already returned to the daemon, but not yet committed). In both, each
// answer is checked the moment it arrives, from another connection: the bid
// it accepts must already be visible, i.e. committed.
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { NbError } from '../../../src/protocol/errors.js';
import { useChecker, useRulesDaemon } from '../../helpers/fixture.js';
import { seedAuction, seedUsers, type SeededUser } from '../../helpers/seed.js';
import { waitFor } from '../../helpers/poll.js';

const t = useRulesDaemon();
const checker = useChecker(t);

interface Answer {
  amount: number;
  status: number | string;
  bidId?: number;
  /** Whether the accepted bid was visible to another connection when its answer arrived. */
  visibleOnArrival?: boolean;
  ms: number;
}

/** Fires one bid per bidder at once (amounts rising with the index), checking each 201 on arrival. */
function fire(bidders: SeededUser[], auctions: number[], from: number, answers: Answer[]): Promise<void[]> {
  return Promise.all(
    bidders.map(async (b, i) => {
      const amount = from + 10 * i;
      const started = Date.now();
      try {
        const r = await b.client.bid(auctions[i % auctions.length]!, amount);
        const rows = await checker.sql`SELECT id FROM bids WHERE id = ${r.bid!.id}`;
        answers.push({ amount, status: 201, bidId: r.bid!.id, visibleOnArrival: rows.length === 1, ms: Date.now() - started });
      } catch (err) {
        answers.push({ amount, status: err instanceof NbError ? err.code : String(err), ms: Date.now() - started });
      }
    }),
  );
}

/** Daemon connections of this database waiting for a lock. */
async function daemonBackendsWaitingOnLocks(): Promise<number> {
  const [row] = await checker.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND application_name LIKE 'neighborbid:%' AND wait_event_type = 'Lock'`;
  return row!.n;
}

describe('a 201 is never sent before its commit', () => {
  it('sends no answer while another transaction holds the auction row; every 201 answered after is committed', async () => {
    const bidders = await seedUsers(t.daemon, 8, 10_000);
    const auction = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const locker = postgres(t.db.url, { max: 1, onnotice: () => {} });
    const answers: Answer[] = [];
    let bids: Promise<void[]> | undefined;
    try {
      const held = await locker.reserve();
      await held`BEGIN`;
      await held`SELECT id FROM auctions WHERE id = ${auction.id} FOR UPDATE`;
      bids = fire(bidders, [auction.id], 100, answers);
      // The daemon's transaction has reached the database and waits for the row.
      await waitFor(async () => (await daemonBackendsWaitingOnLocks()) > 0, 30_000, 'a daemon transaction waiting on the lock');
      // A sentinel: a bid on another auction, taken and answered by the same
      // daemon while the held ones wait. Had any held bid been answered early,
      // it would be among the answers by now.
      const other = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
      await bidders[0]!.client.bid(other.id, 100);
      expect(answers).toEqual([]);
      await held`COMMIT`;
      held.release();
      await bids;
    } finally {
      await bids?.catch(() => {});
      await locker.end();
    }
    const accepted = answers.filter((a) => a.status === 201);
    expect(accepted.length).toBeGreaterThan(0);
    for (const a of answers) expect([201, 'BID_TOO_LOW']).toContain(a.status);
    for (const a of accepted) expect(a.visibleOnArrival, `bid ${a.bidId} (${a.amount})`).toBe(true);
    const rows = await checker.sql<{ id: number }[]>`SELECT id::int AS id FROM bids WHERE auction_id = ${auction.id} ORDER BY id`;
    expect(rows.map((r) => r.id)).toEqual(accepted.map((a) => a.bidId).sort((x, y) => x! - y!));
  });

  it('with COMMIT held back by a deferred trigger, every 201 arrives after its bid is committed (one auction and several)', async () => {
    const bidders = await seedUsers(t.daemon, 12, 10_000);
    const lots = await Promise.all([0, 1, 2].map(() => seedAuction(t.seller, { startPrice: 100, minIncrement: 10 })));
    const ids = lots.map((a) => a.id);
    const fn = `nb_test_slow_commit_${process.pid}`;
    // Sleeps once per transaction, at COMMIT, when it wrote a bid on one of these auctions.
    await checker.sql.unsafe(`
      CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.auction_id IN (${ids.join(', ')}) AND current_setting('nb_test.slept', true) IS DISTINCT FROM 'yes' THEN
          PERFORM set_config('nb_test.slept', 'yes', true);
          PERFORM pg_sleep(0.4);
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER ${fn} AFTER INSERT ON bids DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ${fn}();`);
    const answers: Answer[] = [];
    try {
      // First a hot auction (the bids share transactions), then three auctions (one transaction may hold several).
      await fire(bidders.slice(0, 6), [ids[0]!], 100, answers);
      await fire(bidders.slice(6), ids, 1000, answers);
    } finally {
      await checker.sql.unsafe(`DROP TRIGGER ${fn} ON bids; DROP FUNCTION ${fn}();`);
    }
    const accepted = answers.filter((a) => a.status === 201);
    expect(accepted.length).toBeGreaterThanOrEqual(4);
    for (const a of answers) expect([201, 'BID_TOO_LOW']).toContain(a.status);
    for (const a of accepted) {
      expect(a.visibleOnArrival, `bid ${a.bidId} (${a.amount})`).toBe(true);
      // The commit was really held back: no accepted bid was answered sooner.
      expect(a.ms).toBeGreaterThanOrEqual(400);
    }
    const rows = await checker.sql<{ id: number }[]>`SELECT id::int AS id FROM bids WHERE auction_id IN ${checker.sql(ids)} ORDER BY id`;
    expect(rows.map((r) => r.id)).toEqual(accepted.map((a) => a.bidId).sort((x, y) => x! - y!));
  });
});
