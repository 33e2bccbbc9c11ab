// Issue 9: a killed daemon loses no bid that was answered 201 — on one hot
// auction, where group commit really forms batches. Forty-eight connections
// bid on one auction with rising amounts; once batches of several bids have
// been committed and hundreds of bids answered, the daemon gets kill -9 in
// the middle of the load. A new daemon on the same database must show every
// bid that was answered 201 (same id, bidder, amount and version), none that
// was refused, gapless versions, and a clean audit. Three rounds.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { NbError } from '../../src/protocol/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { waitGone } from '../helpers/processes.js';
import { expectAuditClean, seedAuction, seedUsers, type Admin, type SeededUser } from '../helpers/seed.js';
import { waitFor } from '../helpers/poll.js';

const adminToken = `nb_admin_hot_crash_${randomBytes(8).toString('hex')}`;
let db: TestDatabase;
let sql: postgres.Sql;
const dirs: { remove(): Promise<void> }[] = [];
const spawned: SpawnedDaemon[] = [];

async function start(): Promise<SpawnedDaemon & Admin> {
  const dir = await tempDir('nb-hot-crash-');
  dirs.push(dir);
  const d = await spawnDaemon(['--database-url', db.url, '--data-dir', dir.path], { ...CLEAN_ENV, NEIGHBORBID_ADMIN_TOKEN: adminToken });
  spawned.push(d);
  return Object.assign(d, { admin: new HttpClient({ url: d.url, token: adminToken }) });
}

/** Transactions the daemon committed with more than one bid, from its batch-size histogram. */
async function batchesOfSeveral(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = Number(/^nb_bid_batch_size_bids_count (\S+)$/m.exec(text)?.[1] ?? 0);
  const single = Number(/^nb_bid_batch_size_bids_bucket\{le="1"\} (\S+)$/m.exec(text)?.[1] ?? 0);
  return count - single;
}

beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  for (const d of spawned) await d.stop('SIGKILL');
  await sql?.end();
  await db?.drop();
  for (const dir of dirs) await dir.remove();
});

interface Sent {
  amount: number;
  bidderId: number;
  /** 201 with the bid's id and version, a refusal code, or null when no answer came (the daemon died). */
  answer: { status: 201; id: number; version: number } | { status: 'refused'; code: string } | null;
}

type Accepted = Sent & { answer: { status: 201; id: number; version: number } };

/**
 * Bids on one auction over 48 connections until the daemon dies. Once batches
 * of several bids have committed, it is killed the moment a 201 arrives: were
 * answers sent before their commit, that is when a bid answered 201 would
 * still be uncommitted.
 */
async function loadAndKill(daemon: SpawnedDaemon & Admin, auction: number, bidders: SeededUser[]): Promise<Sent[]> {
  const clients = bidders.map((b) => new HttpClient({ url: daemon.url, token: b.token, keepAlive: true, timeoutMs: 20_000 }));
  const batchesBefore = await batchesOfSeveral(daemon.url);
  const sent: Sent[] = [];
  let amount = 0;
  let armed = false;
  let killed = false;
  // 48 connections on one auction, each amount higher than every one sent before it; bounded in count.
  const loops = Array.from({ length: 48 }, async (_, i) => {
    const b = i % bidders.length;
    for (let n = 0; n < 2000 && !killed; n++) {
      const s: Sent = { amount: ++amount, bidderId: bidders[b]!.id, answer: null };
      sent.push(s);
      try {
        const r = await clients[b]!.bid(auction, s.amount);
        s.answer = { status: 201, id: r.bid!.id, version: r.bid!.version };
        if (armed && !killed) {
          killed = true;
          process.kill(daemon.pid, 'SIGKILL');
        }
      } catch (err) {
        if (err instanceof NbError && err.code !== 'UNREACHABLE' && err.code !== 'UNAVAILABLE') {
          s.answer = { status: 'refused', code: err.code };
          continue;
        }
        return; // the daemon is gone: this connection stops
      }
    }
  });
  const accepted = () => sent.filter((s) => s.answer?.status === 201).length;
  await waitFor(async () => accepted() >= 300 && (await batchesOfSeveral(daemon.url)) - batchesBefore >= 10, 60_000, 'batched, answered bids');
  armed = true;
  await Promise.all(loops);
  expect(killed).toBe(true);
  expect(await waitGone(daemon.pid)).toBe(true);
  for (const c of clients) c.close();
  return sent;
}

/** Every bid answered 201 is in the database as answered, no refused one is, and the auction agrees. */
async function expectAsAnswered(sent: Sent[], auction: number, daemon: SpawnedDaemon & Admin): Promise<void> {
  const answered201 = sent.filter((s) => s.answer?.status === 201) as Accepted[];
  const refused = sent.filter((s) => s.answer?.status === 'refused') as (Sent & { answer: { code: string } })[];
  for (const r of refused) expect(r.answer.code).toBe('BID_TOO_LOW');
  const rows = await sql<{ id: number; bidder: number; amount: number; version: number }[]>`
    SELECT id::int, bidder_id::int AS bidder, amount::int, version::int FROM bids WHERE auction_id = ${auction} ORDER BY version`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const s of answered201) {
    expect(byId.get(s.answer.id), `bid ${s.answer.id} (amount ${s.amount}) was answered 201`).toEqual({
      id: s.answer.id, bidder: s.bidderId, amount: s.amount, version: s.answer.version,
    });
  }
  const refusedAmounts = new Set(refused.map((r) => r.amount));
  expect(rows.filter((r) => refusedAmounts.has(r.amount))).toEqual([]);
  // Versions are gapless, amounts rise with them, and the auction shows the last one.
  expect(rows.map((r) => r.version)).toEqual(rows.map((_, i) => i + 1));
  for (let i = 1; i < rows.length; i++) expect(rows[i]!.amount).toBeGreaterThan(rows[i - 1]!.amount);
  const shown = await daemon.admin.auction(auction);
  expect(shown).toMatchObject({ bidCount: rows.length, currentPrice: rows.at(-1)!.amount, version: rows.length });
}

describe('kill -9 of the daemon during a hot-auction load', () => {
  // Three kills: a 201 sent before its commit would be lost only if the kill lands in that gap.
  it('loses no bid answered 201, even from batches committed together', async () => {
    let daemon = await start();
    const bidders = await seedUsers(daemon, 24, 1_000_000_000);
    const [seller] = await seedUsers(daemon, 1);
    for (let round = 0; round < 3; round++) {
      // The seller's client talks to the daemon of this round.
      const auction = await seedAuction({ ...seller!, client: seller!.clientFor(daemon.url) }, { startPrice: 1, minIncrement: 1, durationSec: 3600 });
      const sent = await loadAndKill(daemon, auction.id, bidders);
      // A new daemon on the same database.
      daemon = await start();
      await expectAsAnswered(sent, auction.id, daemon);
      await expectAuditClean(daemon.admin);
    }
    expect(await daemon.stop('SIGTERM')).toBe(0);
  });
});
