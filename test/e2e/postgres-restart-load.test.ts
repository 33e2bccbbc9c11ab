// PostgreSQL goes away and comes back while bids flow through two daemons.
// While it is away every request is answered in bounded time, 503 UNAVAILABLE
// with Retry-After — never a 500, never a hang; bids retried with their
// Idempotency-Key end with one true answer each, and the database agrees; both
// daemons LISTEN again; and SocketClient watchers on each daemon deliver every
// event committed before, during and after the outage, in order, once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { SocketClient, type AuctionMessage } from '../../src/client/socket-client.js';
import { openDatabase, type Sql } from '../../src/daemon/db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { bidLoad, expectBidsAsAnswered, lastAttempt, type Attempt } from '../helpers/bid-load.js';
import { logLines, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { outbox } from '../helpers/market.js';
import { postgresOutage, stopPostgres } from '../helpers/postgres-restart.js';
import { send } from '../helpers/raw-http.js';
import { soak } from '../helpers/soak.js';
import { expectAuditClean, seedAuction, seedUser, seedUsers, type Admin } from '../helpers/seed.js';
import { report } from '../helpers/tally.js';
import { waitFor } from '../helpers/poll.js';

const adminToken = `nb_admin_pgload_${randomBytes(8).toString('hex')}`;
const dirs: { remove(): Promise<void> }[] = [];
let pg: EmbeddedPostgres;
let daemons: (SpawnedDaemon & Admin)[] = [];

/** Bounds every request: an answer slower than this is a hang. */
const DEADLINE_MS = 15_000;

beforeAll(async () => {
  const dir = await tempDir('nb-pgload-pg-');
  dirs.push(dir);
  pg = await startEmbeddedPostgres({ dataDir: dir.path });
  daemons = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const d = await tempDir(`nb-pgload-${name}-`);
      dirs.push(d);
      // The load far exceeds one user's request budget, so the rate limit is off.
      const s = await spawnDaemon(['--database-url', pg.url, '--data-dir', d.path, '--rate-limit', '0'], { NEIGHBORBID_ADMIN_TOKEN: adminToken });
      return Object.assign(s, { admin: new HttpClient({ url: s.url, token: adminToken }) });
    }),
  );
});
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  if (pg) await stopPostgres(pg.clusterDir);
  for (const d of dirs) await d.remove();
});

/** The LISTEN connections PostgreSQL sees, by daemon application name. */
async function listeners(sql: Sql): Promise<string[]> {
  const rows = await sql<{ application_name: string }[]>`
    SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'neighborbid:%:listen' AND query ILIKE 'LISTEN%'`;
  return rows.map((r) => r.application_name).sort();
}

describe('PostgreSQL restarting under load', () => {
  it('answers 503 UNAVAILABLE in bounded time while it is away, loses no bid and no event, and LISTENs again', async () => {
    const [a, b] = daemons as [SpawnedDaemon & Admin, SpawnedDaemon & Admin];
    const sql = openDatabase({ url: pg.url, max: 1 });
    const outages = soak(1, 6);
    const watchers: { client: SocketClient; seen: Map<number, AuctionMessage[]> }[] = [];
    try {
      const listening = await listeners(sql);
      expect(listening).toHaveLength(2);
      const seller = await seedUser(a);
      const bidders = await seedUsers(a, 8, 1_000_000_000);
      const lots = await Promise.all(Array.from({ length: 4 }, () => seedAuction(seller, { startPrice: 1, minIncrement: 1, durationSec: 3600 })));
      const ids = lots.map((l) => l.id);
      for (const url of [a.url, b.url, [b.url, a.url]]) {
        const seen = new Map<number, AuctionMessage[]>(ids.map((id) => [id, []]));
        const client = new SocketClient({ url, backoff: { initialMs: 50, maxMs: 500 } });
        await client.subscribe(ids, (m) => seen.get(m.auction)!.push(m));
        watchers.push({ client, seen });
      }
      for (const w of watchers) await waitFor(() => [...w.seen.values()].every((s) => s.length >= 1), 30_000, 'snapshots');

      // Bids keep flowing through both daemons; a 503 is sent again with the same key.
      let running = true;
      const loading = bidLoad({
        bidders,
        auctions: ids,
        url: (bidder, n) => daemons[(bidder + n) % 2]!.url,
        running: () => running,
        maxBids: soak(4000, 40_000),
        timeoutMs: DEADLINE_MS,
        again: (r: Attempt, tries) => r.status === 503 && tries < 300,
        retryPauseMs: 100,
      });
      // Reads and health checks go on through the outage too.
      const probes: { path: string; status: number | null; code?: string; retryAfter?: unknown }[] = [];
      const probing = (async () => {
        while (running) {
          for (const path of ['/v1/health', `/v1/auctions/${ids[0]}`]) {
            const url = daemons[probes.length % 2]!.url;
            const r = await send(url, { path, timeoutMs: DEADLINE_MS }).catch(() => null);
            probes.push({ path, status: r?.status ?? null, code: r?.json?.error?.code, retryAfter: r?.headers['retry-after'] });
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();

      let downs = 0;
      for (let i = 0; i < outages; i++) {
        await new Promise((r) => setTimeout(r, 700));
        await postgresOutage(pg.clusterDir, 1500, () => downs++);
      }
      await new Promise((r) => setTimeout(r, 1500)); // bids after the last restart
      running = false;
      const [bids] = await Promise.all([loading, probing]);
      expect(downs).toBe(outages);

      // Every request had an answer within the deadline, and every answer was a true one.
      const attempts = bids.flatMap((x) => x.attempts);
      expect(attempts.filter((r) => r.status === null)).toEqual([]);
      const unavailable = attempts.filter((r) => r.status === 503);
      expect(unavailable.length).toBeGreaterThan(0);
      for (const r of unavailable) expect([r.code, r.retryAfter]).toEqual(['UNAVAILABLE', '1']);
      // A 500 names its cause in the daemon's log: show those lines with the failure.
      const errors = () => daemons.flatMap((d) => logLines(d.output()).filter((l) => Number(l.level) >= 50)).map((l) => JSON.stringify(l)).join('\n');
      for (const r of attempts) expect([201, 422, 503], `${r.status} ${r.code}\n${r.status === 500 ? errors() : ''}`).toContain(r.status);
      for (const x of bids) expect(lastAttempt(x).status).not.toBe(503);
      expect(probes.filter((p) => p.status === null || p.status === 500)).toEqual([]);
      const probe503 = probes.filter((p) => p.status === 503);
      for (const p of probe503) expect(p.path === '/v1/health' || (p.code === 'UNAVAILABLE' && p.retryAfter === '1')).toBe(true);
      await expectBidsAsAnswered(sql, bids);

      // Both daemons LISTEN again (PostgreSQL's view and their own logs).
      await waitFor(async () => (await listeners(sql)).length === 2, 30_000, 'both LISTEN connections');
      for (const d of daemons) expect(d.output()).toMatch(/listening again/);

      // Every watcher delivered exactly the outbox of every auction: no gap, no duplicate.
      let delivered = 0;
      for (const id of ids) {
        const truth = await outbox(pg.url, id);
        for (const w of watchers) {
          await waitFor(() => w.client.version(id) === truth.length, 60_000, `watcher to reach version ${truth.length} of ${id}`);
          const seen = w.seen.get(id)!;
          expect(seen[0]).toMatchObject({ type: 'snapshot', version: 0 });
          expect(seen.slice(1)).toEqual(truth);
          delivered += truth.length;
        }
      }
      for (const w of watchers) expect(w.client.stats).toMatchObject({ duplicatesDropped: 0, gapsResynced: 0 });
      await expectAuditClean(a.admin);
      await expectAuditClean(b.admin);

      const accepted = bids.filter((x) => lastAttempt(x).status === 201).length;
      const slowest = Math.max(...attempts.map((r) => r.ms));
      report({
        fault: 'PostgreSQL stopped for 1.5 s and started again under a bid load (two daemons, three watchers)',
        operations: attempts.length + probes.length,
        checked: `${outages} outage(s); ${bids.length} bids (${accepted} accepted), ${unavailable.length} answers 503 UNAVAILABLE with Retry-After and retried with the same key, ${probes.length} reads and health checks, none a 500, the slowest bid answered in ${slowest} ms (deadline ${DEADLINE_MS / 1000} s); ${delivered} events delivered to watchers in order, no gap or duplicate; LISTEN re-established`,
        lost: 0,
      });
    } finally {
      for (const w of watchers) await w.client.close();
      await sql.end();
    }
  }, soak(240_000, 1_800_000));
});
