// Two spawned daemons on one database, watchers on each: every committed event
// reaches both, once and in order, whichever daemon took it; a rolled-back bid
// reaches nobody; a watcher that loses its network or its daemon resumes
// without gap or duplicate, by itself.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { SocketClient, type AuctionMessage, type SocketState } from '../../src/client/socket-client.js';
import { NbError } from '../../src/protocol/errors.js';
import type { InboxEvent } from '../../src/protocol/inbox.js';
import { createTestDatabase, databaseArgs, type TestDatabase } from '../helpers/database.js';
import { spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { bidUp, makeAuctions, makeTrader, outbox, type Trader } from '../helpers/market.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { framesOf, openWatcher } from '../helpers/watcher.js';
import { waitFor } from '../helpers/poll.js';

const adminToken = `nb_admin_test_${randomBytes(8).toString('hex')}`;
let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];
let a: SpawnedDaemon;
let b: SpawnedDaemon;
let seller: Trader;
let bidders: Trader[];

async function spawnOn(port = 0): Promise<SpawnedDaemon> {
  const dir = await tempDir('nb-ws2-');
  dirs.push(dir);
  return spawnDaemon([...databaseArgs(db.url), '--data-dir', dir.path, '--log-level', 'info', '--port', String(port)], {
    NEIGHBORBID_ADMIN_TOKEN: adminToken,
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  [a, b] = await Promise.all([spawnOn(), spawnOn()]);
  const admin = new HttpClient({ url: a.url, token: adminToken });
  seller = await makeTrader(a.url, admin, 'seller', 0);
  bidders = await Promise.all([makeTrader(a.url, admin, 'ann'), makeTrader(b.url, admin, 'bob')]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  for (const d of dirs) await d.remove();
  await db?.drop();
});

/** The versions a client handler delivered, snapshots as "s<version>". */
function versions(messages: AuctionMessage[]): string[] {
  return messages.map((m) => (m.type === 'snapshot' ? `s${m.version}` : m.type === 'error' || m.type === 'presence' ? m.type : String(m.version)));
}

/** A client watching a new auction through `url`, after 5 bids (100…140) it has seen live. */
async function watchFiveBids(url: string) {
  const [lot] = await makeAuctions(seller, 1);
  const seen: AuctionMessage[] = [];
  const states: SocketState[] = [];
  const client = new SocketClient({ url, onState: (s) => states.push(s), backoff: { initialMs: 50, maxMs: 300 } });
  await client.subscribe([lot!.id], (m) => seen.push(m));
  await waitFor(() => seen.length >= 1, 30_000, 'snapshot');
  await bidUp(bidders, lot!.id, 5, 100);
  await waitFor(() => client.version(lot!.id) === 5, 30_000, 'five live events');
  return { lot, seen, states, client };
}

/**
 * After 5 live events and 50 missed ones: the client catches up to version 55,
 * then gets 5 more live ones, having delivered exactly versions 1..60 once.
 */
async function expectMissedThenLive(client: SocketClient, seen: AuctionMessage[], auction: number, amount: number): Promise<void> {
  await waitFor(() => client.version(auction) === 55, 60_000, 'the 50 missed events');
  await bidUp(bidders, auction, 5, amount);
  await waitFor(() => client.version(auction) === 60, 30_000, 'five more live events');
  expect(versions(seen)).toEqual(['s0', ...Array.from({ length: 60 }, (_, i) => String(i + 1))]);
  expect(seen.slice(1)).toEqual(await outbox(db.url, auction));
  expect(client.stats).toMatchObject({ duplicatesDropped: 0, gapsResynced: 0 });
}

describe('two daemons on one database', () => {
  it('a watcher on each sees the same event sequence for bids taken on either', async () => {
    const [lot] = await makeAuctions(seller, 1, { softCloseSec: 3600 });
    // The test's clock: every fifth bid finds most of the window gone, so it extends the end
    // (bids a moment apart would move it by less than a second, which is no extension).
    const clock = postgres(db.url, { max: 1, onnotice: () => {} });
    const onA = await openWatcher(a.url);
    const onB = await openWatcher(b.url);
    for (const w of [onA, onB]) w.send({ op: 'subscribe', auctions: [lot!.id] });
    await onA.until((f) => framesOf(f, lot!.id).length >= 1, 30_000, 'snapshot on A');
    await onB.until((f) => framesOf(f, lot!.id).length >= 1, 30_000, 'snapshot on B');

    // Bids alternate between the daemons (ann bids through A, bob through B), some concurrently.
    const annOnA = new HttpClient({ url: a.url, token: bidders[0]!.token });
    const bobOnB = new HttpClient({ url: b.url, token: bidders[1]!.token });
    let amount = 100;
    try {
      for (let i = 0; i < 20; i++) {
        if (i % 5 === 0) await clock`UPDATE auctions SET ends_at = now() + interval '10 minutes' WHERE id = ${lot!.id}`;
        await (i % 2 === 0 ? annOnA : bobOnB).bid(lot!.id, amount);
        amount += 10;
      }
    } finally {
      await clock.end();
    }
    await Promise.allSettled([annOnA.bid(lot!.id, amount), bobOnB.bid(lot!.id, amount + 5)]);

    const truth = await outbox(db.url, lot!.id);
    const last = truth[truth.length - 1]!.version;
    // Bid and extended events interleave.
    expect(truth.filter((e) => e.type === 'extended').length).toBeGreaterThanOrEqual(4);
    for (const w of [onA, onB]) await w.until((f) => framesOf(f, lot!.id).some((x) => 'version' in x && x.version === last));
    const seqA = framesOf(onA.frames, lot!.id);
    const seqB = framesOf(onB.frames, lot!.id);
    expect(seqA[0]).toMatchObject({ type: 'snapshot', version: 0 });
    expect(seqA.slice(1)).toEqual(truth);
    expect(seqB).toEqual(seqA);
    await Promise.all([onA.close(), onB.close()]);
  });

  it('a bid whose transaction rolls back produces no event anywhere; a committed one exactly one', async () => {
    const [lot] = await makeAuctions(seller, 1);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    const fn = `nb_test_fail_${randomBytes(4).toString('hex')}`;
    // A check that fails at COMMIT (a deferred constraint trigger), after the rule has
    // written the bid, the ledger and the outbox row: the whole transaction rolls back.
    await sql.unsafe(`
      CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.auction_id = ${lot!.id} AND (NEW.payload->>'amount')::bigint = 4243 THEN
          RAISE EXCEPTION 'last check failed' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER ${fn} AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ${fn}();`);
    try {
      const watchers = await Promise.all([openWatcher(a.url), openWatcher(a.url), openWatcher(b.url)]);
      for (const w of watchers) w.send({ op: 'subscribe', auctions: [lot!.id] });
      for (const w of watchers) await w.until((f) => framesOf(f, lot!.id).length >= 1, 30_000, 'snapshot');

      const ann = new HttpClient({ url: a.url, token: bidders[0]!.token });
      const bob = new HttpClient({ url: b.url, token: bidders[1]!.token });
      await ann.bid(lot!.id, 4000);
      const failed = await bob.bid(lot!.id, 4243).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(NbError);
      // And once more while other bids share its batch: the batch is split, the others commit.
      const together = await Promise.allSettled([ann.bid(lot!.id, 4243), ann.bid(lot!.id, 5000)]);
      expect(together.map((r) => r.status)).toEqual(["rejected", "fulfilled"]);
      await bob.bid(lot!.id, 6000);
      // A sentinel, last in this auction's order: anything stray would come before it.
      await ann.bid(lot!.id, 7000);

      const truth = await outbox(db.url, lot!.id);
      expect(truth.some((e) => e.type === 'bid' && e.amount === 4243)).toBe(false);
      expect(truth.map((e) => e.type === 'bid' && e.amount).filter((x) => x === 4000 || x === 6000)).toEqual([4000, 6000]);
      const last = truth[truth.length - 1]!.version;
      for (const w of watchers) await w.until((f) => framesOf(f, lot!.id).some((x) => 'version' in x && x.version === last));
      for (const w of watchers) {
        const seen = framesOf(w.frames, lot!.id);
        expect(seen.slice(1)).toEqual(truth);
        expect(seen.filter((f) => f.type === 'bid' && f.amount === 4000)).toHaveLength(1);
        expect(seen.some((f) => f.type === 'bid' && f.amount === 4243)).toBe(false);
        await w.close();
      }
      const audit = await new HttpClient({ url: a.url, token: adminToken }).audit();
      expect(audit.violations).toEqual([]);
    } finally {
      await sql.unsafe(`DROP TRIGGER ${fn} ON events; DROP FUNCTION ${fn}();`);
      await sql.end();
    }
  });

  it("a user's socket gets private events committed on either daemon, and resumes on the other daemon with exactly the missed ones", async () => {
    const [lot] = await makeAuctions(seller, 1);
    const [ann, bob] = bidders as [Trader, Trader];
    const on = (t: Trader, url: string) => new HttpClient({ url, token: t.token });
    const pa = await startTcpProxy(a.url);
    const pb = await startTcpProxy(b.url);
    const privates: InboxEvent[] = [];
    const states: SocketState[] = [];
    const client = new SocketClient({
      url: [pa.url, pb.url],
      token: ann.token,
      onPrivate: (e) => privates.push(e),
      onState: (s) => states.push(s),
      backoff: { initialMs: 50, maxMs: 300 },
    });
    /** A deposit to ann through `url`: her newest event; resolves once the client delivered it. */
    const sentinel = async (url: string) => {
      const { balance } = await new HttpClient({ url, token: adminToken }).deposit(ann.id, 1);
      await waitFor(() => privates.some((e) => e.type === 'balance' && e.balance === balance), 30_000, 'the sentinel');
    };
    try {
      await waitFor(() => client.state.kind === 'live', 30_000, 'live');
      const start = client.inboxSeq!;
      // Live through A, committed on B: bob outbids ann there.
      await on(ann, a.url).bid(lot!.id, 100);
      await on(bob, b.url).bid(lot!.id, 110);
      await sentinel(b.url);

      // Both ways to the daemons cut; events land on both meanwhile; only B comes back.
      await pa.cut();
      await pb.cut();
      await waitFor(() => client.state.kind !== 'live', 10_000, 'the client to notice the cut');
      await on(ann, b.url).bid(lot!.id, 120);
      await on(bob, a.url).bid(lot!.id, 130);
      await new HttpClient({ url: a.url, token: adminToken }).deposit(ann.id, 10);
      await pb.restore();
      await waitFor(() => client.state.kind === 'live' && client.state.daemonId !== states.find((x) => x.kind === 'live')!.daemonId, 30_000, 'live on B');
      // And live again on B for what A commits.
      await on(ann, a.url).bid(lot!.id, 140);
      await sentinel(a.url);

      const truth = (await on(ann, b.url).inbox(start)).events;
      expect(privates.map((e) => e.seq)).toEqual(truth.map((_, i) => start + i + 1));
      expect(privates).toEqual(truth);
      expect(privates.filter((e) => e.type === 'outbid')).toHaveLength(2);
      expect(client.stats).toMatchObject({ duplicatesDropped: 0, gapsResynced: 0 });
    } finally {
      await client.close();
      await Promise.all([pa.close(), pb.close()]);
    }
  });

  it('a client that loses its network while 50 bids land resumes with exactly the missed events, then live ones', async () => {
    const proxy = await startTcpProxy(a.url);
    const { lot, seen, states, client } = await watchFiveBids(proxy.url);
    let amount = 150;
    try {

      await proxy.cut();
      await waitFor(() => client.state.kind !== 'live', 10_000, 'the client to notice the cut');
      amount = await bidUp(bidders, lot!.id, 50, amount);
      expect(client.version(lot!.id)).toBe(5);
      await proxy.restore();
      await expectMissedThenLive(client, seen, lot!.id, amount);
      expect(client.stats.connections).toBeGreaterThanOrEqual(2);
      expect(states.some((s) => s.kind === 'reconnecting')).toBe(true);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('a client resumes across a daemon restart (1001 going away), with the bids taken meanwhile on the other daemon', async () => {
    const { lot, seen, states, client } = await watchFiveBids(a.url);
    let amount = 150;
    try {

      const port = Number(new URL(a.url).port);
      expect(await a.stop('SIGTERM')).toBe(0);
      await waitFor(() => states.some((s) => s.kind === 'reconnecting' && /SHUTTING_DOWN/.test(s.reason)), 10_000, '1001');
      const onB = bidders.map((t) => ({ ...t, client: new HttpClient({ url: b.url, token: t.token }) }));
      amount = await bidUp(onB, lot!.id, 50, amount);
      a = await spawnOn(port);
      await expectMissedThenLive(client, seen, lot!.id, amount);
    } finally {
      await client.close();
    }
  });
});
