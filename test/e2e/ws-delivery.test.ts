// One spawned daemon, real sockets: a board of 20 auctions is one socket that
// gets every event of those 20 exactly once and in order, and nothing else;
// bad frames get error frames or a documented close, and the daemon lives on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import type { AuctionEvent } from '../../src/protocol/events.js';
import type { ErrorFrame, ServerFrame } from '../../src/protocol/frames.js';
import type { Auction } from '../../src/protocol/types.js';
import { createTestDatabase, databaseArgs, type TestDatabase } from '../helpers/database.js';
import { spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { makeAuctions, makeTrader, outbox, type Trader } from '../helpers/market.js';
import { framesOf, openWatcher } from '../helpers/watcher.js';
import { waitFor } from '../helpers/poll.js';

const adminToken = `nb_admin_test_${randomBytes(8).toString('hex')}`;
let db: TestDatabase;
let dir: { path: string; remove(): Promise<void> };
let daemon: SpawnedDaemon;
let admin: HttpClient;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await tempDir('nb-ws1-');
  daemon = await spawnDaemon([...databaseArgs(db.url), '--data-dir', dir.path], { NEIGHBORBID_ADMIN_TOKEN: adminToken });
  admin = new HttpClient({ url: daemon.url, token: adminToken });
});

afterAll(async () => {
  await daemon?.stop();
  await dir?.remove();
  await db?.drop();
});

const versionOf = (f: ServerFrame): number => (f.type !== 'welcome' && 'version' in f ? f.version : -1);

describe('one socket, many auctions', () => {
  it('a socket subscribed to 20 auctions receives every event of those 20 exactly once, in version order, and nothing else', async () => {
    const seller = await makeTrader(daemon.url, admin, 'seller', 0);
    const bidders = await Promise.all(['a', 'b', 'c', 'd'].map((n) => makeTrader(daemon.url, admin, n)));
    // 25 auctions: 20 watched, 5 not. Kinds that make every event type:
    // soft close (extended), buy now (sold), cancel (cancelled), a short one (closed).
    const plain = await makeAuctions(seller, 19);
    const [soft] = await makeAuctions(seller, 1, { softCloseSec: 7200 });
    const [buyable] = await makeAuctions(seller, 1, { buyNowPrice: 100_000 });
    const [cancellable] = await makeAuctions(seller, 1);
    const [short] = await makeAuctions(seller, 1, { durationSec: 5 });
    await bidders[0]!.client.bid(short!.id, 100);
    const others = await makeAuctions(seller, 2);
    const watched: Auction[] = [...plain.slice(0, 16), soft!, buyable!, cancellable!, short!];
    const unwatched: Auction[] = [...plain.slice(16), ...others];
    expect(watched).toHaveLength(20);
    expect(unwatched).toHaveLength(5);

    const w = await openWatcher(daemon.url);
    w.send({ op: 'subscribe', auctions: watched.map((x) => x.id) });
    await w.until((f) => f.filter((x) => x.type === 'snapshot').length === 20, 30_000, '20 snapshots');
    expect(w.frames.filter((f) => f.type === 'subscribed')).toEqual([{ type: 'subscribed', auctions: watched.map((x) => x.id) }]);

    // Concurrent bids over separate connections on all 25 auctions; some lose the race (BID_TOO_LOW).
    const targets = [...watched.filter((x) => x !== cancellable && x !== short), ...unwatched];
    const fire = (t: Trader, i: number) =>
      Promise.allSettled(targets.map((x, j) => t.client.bid(x.id, 100 + 10 * ((i + j) % 4) + 40 * i)));
    for (let round = 0; round < 4; round++) await Promise.all(bidders.map((t, i) => fire(t, round * 4 + i)));
    await bidders[1]!.client.buy(buyable!.id);
    await seller.client.cancel(cancellable!.id);
    await admin.cancel(unwatched[0]!.id);

    const truths = new Map<number, AuctionEvent[]>();
    await waitFor(async () => (await admin.auction(short!.id)).status === 'closed', 30_000, 'the short auction to close');
    // Sentinels: one more bid on every watched auction still open, last in its
    // order, so anything stray or repeated would arrive before it.
    for (const x of watched) {
      if ((await admin.auction(x.id)).status === 'open') await bidders[3]!.client.bid(x.id, 100_000);
    }
    for (const x of watched) truths.set(x.id, await outbox(db.url, x.id));
    for (const x of watched) {
      const last = truths.get(x.id)!.at(-1)?.version ?? 0;
      await w.until((f) => framesOf(f, x.id).some((e) => versionOf(e) === last), 30_000, `auction ${x.id} v${last}`);
    }
    // Every kind of event took part.
    const kinds = new Set([...truths.values()].flat().map((e) => e.type));
    expect([...kinds].sort()).toEqual(['bid', 'cancelled', 'closed', 'extended', 'sold']);

    for (const x of watched) {
      const seen = framesOf(w.frames, x.id);
      expect(seen[0]).toMatchObject({ type: 'snapshot', auction: x.id });
      const from = versionOf(seen[0]!);
      expect(from).toBe(x === short ? 1 : 0);
      expect(seen.slice(1)).toEqual(truths.get(x.id)!.filter((e) => e.version > from));
    }
    const watchedIds = new Set(watched.map((x) => x.id));
    const stray = w.frames.filter((f) => 'auction' in f && typeof f.auction === 'number' && !watchedIds.has(f.auction));
    expect(stray).toEqual([]);
    for (const x of unwatched) expect((await outbox(db.url, x.id)).length).toBeGreaterThan(0);
    await w.close();
  });
});

describe('bad frames', () => {
  it('get an error frame, or a documented close for an oversized one, and never crash the daemon', async () => {
    const w = await openWatcher(daemon.url);
    const errors = () => w.frames.filter((f): f is ErrorFrame => f.type === 'error');
    const expectError = async (frame: string | Buffer, code: string, n: number) => {
      w.ws.send(frame);
      await w.until(() => errors().length === n, 10_000, `error ${n}`);
      expect(errors()[n - 1]).toMatchObject({ type: 'error', code });
      expect(errors()[n - 1]!.message).toMatch(/\w/);
    };
    await expectError('not json', 'INVALID_INPUT', 1);
    await expectError('[1,2]', 'INVALID_INPUT', 2);
    await expectError(JSON.stringify({ op: 'buy', auctions: [1] }), 'INVALID_INPUT', 3);
    await expectError(JSON.stringify({ auctions: [1] }), 'INVALID_INPUT', 4);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: 'all' }), 'INVALID_INPUT', 5);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: [1.5] }), 'INVALID_INPUT', 6);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: [-3] }), 'INVALID_INPUT', 7);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: [1], after: { 1: 'x' } }), 'INVALID_INPUT', 8);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: [1], after: { 2: 0 } }), 'INVALID_INPUT', 9);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: [1], extra: true }), 'INVALID_INPUT', 10);
    await expectError(Buffer.from([1, 2, 3]), 'INVALID_INPUT', 11);
    const many = Array.from({ length: 10_000 }, (_, i) => i + 1);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: many }), 'TOO_MANY_SUBSCRIPTIONS', 12);
    expect(errors()[11]).toMatchObject({ limit: 1000 });
    expect(w.frames.some((f) => f.type === 'subscribed')).toBe(false);
    await expectError(JSON.stringify({ op: 'subscribe', auctions: [987_654_321] }), 'NOT_FOUND', 13);
    expect(errors()[12]).toMatchObject({ auction: 987_654_321 });

    // After all that the socket still works.
    w.send({ op: 'ping' });
    await w.until((f) => f.some((x) => x.type === 'pong'), 10_000, 'pong');

    // A frame over maxPayload (64 KiB) closes the socket with 1009.
    w.ws.send(JSON.stringify({ op: 'subscribe', auctions: Array.from({ length: 20_000 }, (_, i) => i + 1) }));
    expect((await w.closed).code).toBe(1009);

    // The daemon is alive and well.
    const health = await new HttpClient({ url: daemon.url }).health();
    expect(health.ok).toBe(true);
    expect(daemon.child.exitCode).toBeNull();
    const again = await openWatcher(daemon.url);
    again.send({ op: 'ping' });
    await again.until((f) => f.some((x) => x.type === 'pong'), 10_000, 'pong on a new socket');
    await again.close();
  });
});
