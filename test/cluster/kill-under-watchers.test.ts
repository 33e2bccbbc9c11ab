// A daemon dies under its watchers: 3,000 watching users through HAProxy
// (≈1,000 on each daemon), bids flowing through HAProxy with idempotency keys,
// then kill -9 one daemon. Every watcher it had reconnects through HAProxy to
// another daemon and resumes from its last version, with nothing lost,
// duplicated or out of order (checked against the outbox); every bid in flight
// is answered or retried with its key until it is, and the database holds
// exactly the bids answered 201; the audit is clean. The time the watchers
// took to be whole again is printed.
import { cpus, loadavg } from 'node:os';
import { describe, expect, it } from 'vitest';
import { sqlArray } from '../../src/daemon/db/database.js';
import { canonical } from '../../scripts/cluster/watcher-protocol.js';
import { bidLoad, expectBidsAsAnswered, lastAttempt, type Attempt, type LoadBid } from '../helpers/bid-load.js';
import { allUp, daemonIdOf, socketsOn, useCluster } from '../helpers/cluster.js';
import { openWatchers, percentile, type WatcherProcesses } from '../../scripts/cluster/watchers.js';
import { waitFor } from '../helpers/poll.js';
import { expectAuditClean, seedAuction, seedUser, seedUsers } from '../helpers/seed.js';
import { report } from '../helpers/tally.js';

const c = useCluster();

const WATCHERS = 3_000;
const AUCTIONS = 30;
const PER_WATCHER = 3;
const PROCESSES = 3;

/** Lost answers (the daemon died with the request) and HAProxy's own errors: send the same bid, same key, again. */
const retryable = (a: Attempt) => a.status === null || a.status === 502 || a.status === 503 || a.status === 504;

describe('kill -9 of a daemon under 3,000 watchers behind HAProxy', () => {
  it('moves its watchers to the other daemons with no gap, duplicate or reordering, and loses no bid', async () => {
    const seller = await seedUser(c);
    const bidders = await seedUsers(c, 6, 1_000_000_000);
    const auctions = (await Promise.all(Array.from({ length: AUCTIONS }, () => seedAuction(seller, { startPrice: 100, minIncrement: 1 })))).map((a) => a.id);
    // Each watcher three auctions: ~300 watchers per auction.
    const specs = Array.from({ length: WATCHERS }, (_, w) => [0, 7, 19].map((k) => auctions[(w + k) % AUCTIONS]!));
    const ids = await Promise.all(c.daemons.map(daemonIdOf));

    let watchers: WatcherProcesses | undefined;
    try {
      await allUp(c);
      watchers = await openWatchers(c.url, specs, PROCESSES);
      // Round robin: about a third on each daemon, as the daemons count them too.
      const spread = watchers.perDaemon();
      for (const id of ids) expect(spread[id] ?? 0).toBeGreaterThan(WATCHERS / 3 - 100);
      const victim = c.daemons[1]!;
      const victimId = ids[1]!;
      const onVictim = await socketsOn(victim);
      expect(onVictim).toBe(spread[victimId]);

      let running = true;
      const load = bidLoad({
        bidders,
        auctions,
        url: () => c.url,
        running: () => running,
        maxBids: 20_000,
        timeoutMs: 15_000,
        again: (a, tries) => retryable(a) && tries < 30,
        retryPauseMs: 200,
        pauseMs: 100,
      });
      const loaded = (n: number) => waitFor(async () => (await c.sql<{ n: number }[]>`SELECT count(*)::bigint AS n FROM bids`)[0]!.n >= n, 60_000, `${n} bids`);
      await loaded(100);

      const loadAtKill = loadavg()[0]!;
      const killAt = Date.now();
      await victim.kill('SIGKILL');
      const rows = await c.sql<{ id: number; version: number }[]>`SELECT id, version FROM auctions WHERE id = ANY (${sqlArray(auctions)}::bigint[])`;
      const affected = await watchers.killed(victimId, killAt, new Map(rows.map((r) => [r.id, r.version])));
      expect(affected).toBe(onVictim);

      // Whole again: live on another daemon with every version committed before the kill.
      await waitFor(async () => (await watchers!.notWhole()) === 0, 90_000, "the killed daemon's watchers to be whole again");
      const afterKill = (await c.sql<{ n: number }[]>`SELECT count(*)::bigint AS n FROM bids`)[0]!.n;
      // The daemon comes back on its port and HAProxy sends it traffic again; bids keep flowing meanwhile.
      await victim.start();
      await loaded(afterKill + 100);
      running = false;
      const bids: LoadBid[] = await load;

      // Every bid got an answer in the end: none was left lost, none failed for any reason but a rule.
      const outcomes = new Map<string, number>();
      for (const b of bids) {
        const last = lastAttempt(b);
        const key = last.status === 201 ? 'accepted' : String(last.code ?? last.status);
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
      expect([...outcomes.keys()].filter((k) => k !== 'accepted' && k !== 'BID_TOO_LOW')).toEqual([]);
      await expectBidsAsAnswered(c.sql, bids);
      const retried = bids.filter((b) => b.attempts.length > 1);
      const replayed = retried.filter((b) => lastAttempt(b).replayed);

      // Every watcher has every version, once and in order, as the outbox holds it.
      const finals = await c.sql<{ id: number; version: number }[]>`SELECT id, version FROM auctions WHERE id = ANY (${sqlArray(auctions)}::bigint[])`;
      const events = await c.sql<{ auction_id: number; version: number; payload: unknown }[]>`
        SELECT auction_id, version, payload FROM events WHERE auction_id = ANY (${sqlArray(auctions)}::bigint[])`;
      const r = await watchers.finish(
        new Map(finals.map((f) => [f.id, f.version])),
        events.map((e) => [e.auction_id, e.version, canonical(e.payload)]),
        120_000,
      );
      expect(r.watchers).toBe(WATCHERS);
      expect(r.streams).toBe(WATCHERS * PER_WATCHER);
      expect({ lost: r.lost, duplicates: r.duplicates, outOfOrder: r.outOfOrder, resnapshots: r.resnapshots, notAsInOutbox: r.notAsInOutbox, incomplete: r.incomplete })
        .toEqual({ lost: 0, duplicates: 0, outOfOrder: 0, resnapshots: 0, notAsInOutbox: 0, incomplete: 0 });
      expect(r.affected).toBe(onVictim);
      expect(r.movedElsewhere).toBe(onVictim);
      expect(r.wholeMs).toHaveLength(onVictim);
      await expectAuditClean(c.admin);

      const pct = (ms: number[]) => `p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms, max ${Math.max(...ms)} ms`;
      const line =
        `kill -9 of 1 of 3 daemons under ${WATCHERS.toLocaleString('en-US')} watchers (${onVictim.toLocaleString('en-US')} on it): ` +
        `live again on another daemon after ${pct(r.liveMs)} (${r.attempts.toLocaleString('en-US')} connection attempts); whole again (every version committed before the kill delivered) after ${pct(r.wholeMs)}; ` +
        `${r.deliveries.toLocaleString('en-US')} deliveries checked against the outbox: 0 lost, 0 duplicated, 0 out of order; ` +
        `${bids.length.toLocaleString('en-US')} bids (${outcomes.get('accepted') ?? 0} accepted, ${outcomes.get('BID_TOO_LOW') ?? 0} BID_TOO_LOW), ` +
        `${retried.length} retried with their key after losing their answer (${replayed.length} of them replayed a first answer); audit clean ` +
        `(machine load average at the kill ${loadAtKill.toFixed(1)} on ${cpus().length} cores)`;
      process.stdout.write(`\n${line}\n\n`);
      report({
        fault: 'kill -9 of one of three daemons behind HAProxy under 3,000 watchers and a bid load',
        operations: bids.length,
        checked: line,
        lost: 0,
      });
    } finally {
      await watchers?.close();
    }
  }, 600_000);
});
