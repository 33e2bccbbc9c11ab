// kill -9 of one of two daemons in the middle of a bid load. Afterwards every
// bid answered 201 is in the database and none answered with an error is; and
// every bid sent again with its Idempotency-Key — those whose answer died with
// the daemon and those that were answered — gets the first answer, or for a bid
// that never committed its one execution, and never bids twice.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { openDatabase, sqlArray, type Sql } from '../../src/daemon/db/database.js';
import { bidLoad, expectBidsAsAnswered, lastAttempt, sendBid, type Attempt, type LoadBid } from '../helpers/bid-load.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { waitGone } from '../helpers/processes.js';
import { soak } from '../helpers/soak.js';
import { expectAuditClean, seedAuction, seedUser, seedUsers, type Admin } from '../helpers/seed.js';
import { report } from '../helpers/tally.js';

const adminToken = `nb_admin_crash_${randomBytes(8).toString('hex')}`;
let db: TestDatabase;
let sql: Sql;
const dirs: { remove(): Promise<void> }[] = [];
const spawned: SpawnedDaemon[] = [];

/** A daemon on the test database; the load's own rate is far above any one user's budget, so the limit is off. */
async function start(): Promise<SpawnedDaemon & Admin> {
  const dir = await tempDir('nb-crashload-');
  dirs.push(dir);
  const d = await spawnDaemon(['--database-url', db.url, '--data-dir', dir.path, '--rate-limit', '0'], { ...CLEAN_ENV, NEIGHBORBID_ADMIN_TOKEN: adminToken });
  spawned.push(d);
  return Object.assign(d, { admin: new HttpClient({ url: d.url, token: adminToken }) });
}

beforeAll(async () => {
  db = await createTestDatabase();
  sql = openDatabase({ url: db.url, max: 2 });
});
afterAll(async () => {
  for (const d of spawned) await d.stop('SIGKILL');
  await sql?.end();
  await db?.drop();
  for (const dir of dirs) await dir.remove();
});

const RULE_CODES = ['BID_TOO_LOW', 'INSUFFICIENT_FUNDS'];

describe('kill -9 under load', () => {
  it('loses no answered bid, takes no refused one, and a retry with the same key never bids twice', async () => {
    const rounds = soak(1, 10);
    const tally = { bids: 0, accepted: 0, refused: 0, lost: 0, cut: 0, committedUnanswered: 0, retries: 0 };
    let a = await start();
    const b = await start();
    for (let round = 0; round < rounds; round++) {
      const seller = await seedUser(b);
      const bidders = await seedUsers(b, 16, 1_000_000_000);
      const auctions = await Promise.all(Array.from({ length: 6 }, () => seedAuction(seller, { startPrice: 1, minIncrement: 1, durationSec: 3600 })));
      let running = true;
      const loading = bidLoad({
        bidders,
        auctions: auctions.map((x) => x.id),
        url: (bidder, n) => ((bidder + n) % 2 === 0 ? a.url : b.url),
        running: () => running,
        maxBids: soak(3000, 20_000),
        timeoutMs: 20_000,
      });
      // Mid-load: SIGKILL, no chance to answer or clean up; the load goes on against both URLs a little longer.
      await new Promise((r) => setTimeout(r, soak(1500, 1000 + 300 * round)));
      process.kill(a.pid, 'SIGKILL');
      expect(await waitGone(a.pid)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      const bids = await loading;

      const first = (x: LoadBid) => x.attempts[0]!;
      const answered = bids.filter((x) => first(x).status !== null);
      const unanswered = bids.filter((x) => first(x).status === null);
      for (const x of answered) {
        expect(first(x).status === 201 || RULE_CODES.includes(first(x).code!), `${first(x).status} ${first(x).code}`).toBe(true);
      }
      expect(unanswered.length).toBeGreaterThan(0); // the daemon did die under the load
      for (const x of unanswered) expect(first(x).url).toBe(a.url); // only the killed daemon failed to answer
      // Before anything is sent again: the database already holds exactly the answered 201s, plus
      // at most the bids whose answer died with the daemon.
      const lostKeys = new Set(unanswered.map((x) => x.key));
      const rows = await sql<{ n: number }[]>`SELECT count(*)::bigint AS n FROM bids WHERE auction_id = ANY (${sqlArray(auctions.map((x) => x.id))}::bigint[])`;
      const answered201 = answered.filter((x) => first(x).status === 201).length;
      expect(rows[0]!.n).toBeGreaterThanOrEqual(answered201);
      expect(rows[0]!.n).toBeLessThanOrEqual(answered201 + lostKeys.size);

      // The killed daemon comes back; every bid is sent again with its key, through both.
      a = await start();
      const retry = async (x: LoadBid, url: string): Promise<Attempt> => {
        const r = await sendBid(url, x, 20_000);
        x.attempts.push(r);
        return r;
      };
      for (let i = 0; i < bids.length; i += 50) {
        await Promise.all(
          bids.slice(i, i + 50).map(async (x) => {
            const viaB = await retry(x, b.url);
            const viaA = await retry(x, a.url);
            for (const r of [viaB, viaA]) expect(r.status === 201 || RULE_CODES.includes(r.code!), `${r.status} ${r.code}`).toBe(true);
            // Both retries replay one stored answer.
            expect([viaA.status, viaA.body, viaA.replayed]).toEqual([viaB.status, viaB.body, true]);
            if (first(x).status !== null) {
              // Answered before the crash: the very same answer, replayed.
              expect([viaB.status, viaB.body, viaB.replayed]).toEqual([first(x).status, first(x).body, true]);
            }
          }),
        );
      }
      // Every bid's last answer is the truth, and the database holds exactly the 201s, once each.
      await expectBidsAsAnswered(sql, bids);
      await expectAuditClean(a.admin);
      await expectAuditClean(b.admin);

      tally.bids += bids.length;
      tally.accepted += bids.filter((x) => lastAttempt(x).status === 201).length;
      tally.refused += bids.filter((x) => lastAttempt(x).status !== 201).length;
      tally.lost += unanswered.length;
      tally.cut += unanswered.filter((x) => first(x).code !== 'ECONNREFUSED').length;
      // Unanswered, yet committed before the crash: the retry replayed its 201.
      tally.committedUnanswered += unanswered.filter((x) => x.attempts[1]!.replayed && x.attempts[1]!.status === 201).length;
      tally.retries += bids.length * 2;
    }
    report({
      fault: 'kill -9 of one of two daemons under a bid load',
      operations: tally.bids + tally.retries,
      checked: `${rounds} kill(s); ${tally.bids} bids (${tally.accepted} accepted, ${tally.refused} refused), ${tally.lost} without an answer (${tally.cut} cut in flight, of which ${tally.committedUnanswered} had committed; the rest refused at connect), then ${tally.retries} retries with the same Idempotency-Key: database = answers, every answered bid replayed identically, none taken twice`,
      lost: 0,
    });
  }, soak(240_000, 1_800_000));
});
