// Idempotency-Key on every POST: a retry with the same key and body gets the
// first answer (rejections included), another body is IDEMPOTENCY_CONFLICT, and
// two requests with one key at the same instant execute once, even across two
// daemons sharing the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type StartedTestDaemon } from '../../helpers/daemon.js';
import { MANUAL_CLOSER, useRulesDaemon } from '../../helpers/fixture.js';
import { send, type RawResponse } from '../../helpers/raw-http.js';
import { expectRefused, seedAuction, seedUser } from '../../helpers/seed.js';

const t = useRulesDaemon();
let other: StartedTestDaemon;

beforeAll(async () => {
  other = await startTestDaemon(t.db.url, { ...MANUAL_CLOSER, adminToken: t.daemon.adminToken });
});
afterAll(async () => {
  await other?.close();
  await other?.removeDir();
});

/** POSTs with a key, over its own connection, to one daemon or the other. */
function post(path: string, token: string, key: string, body: unknown = {}, via: 'main' | 'other' = 'main'): Promise<RawResponse> {
  return send((via === 'main' ? t.daemon : other).url, { path, token, body, headers: { 'idempotency-key': key } });
}

const bidCount = async (auctionId: number) =>
  (await t.daemon.context.sql<{ n: number }[]>`SELECT count(*)::bigint AS n FROM bids WHERE auction_id = ${auctionId}`)[0]!.n;

describe('replaying a key', () => {
  it('answers a retried bid with the first answer and bids once', async () => {
    const a = await seedAuction(t.seller);
    const alice = await seedUser(t.daemon, 1000);
    const first = await post(`/v1/auctions/${a.id}/bids`, alice.token, 'bid-1', { amount: 100 });
    const again = await post(`/v1/auctions/${a.id}/bids`, alice.token, 'bid-1', { amount: 100 });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await bidCount(a.id)).toBe(1);
    expect(await alice.client.me()).toMatchObject({ held: 100 });
  });

  it('replays a rejection even after the state that caused it has changed', async () => {
    const a = await seedAuction(t.seller);
    const bob = await seedUser(t.daemon, 1000);
    const first = await post(`/v1/auctions/${a.id}/bids`, bob.token, 'too-much', { amount: 5000 });
    expect(first.status).toBe(422);
    expect(first.json.error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', available: 1000, message: expect.any(String) });
    await t.daemon.admin.deposit(bob.id, 10_000);

    const again = await post(`/v1/auctions/${a.id}/bids`, bob.token, 'too-much', { amount: 5000 });
    expect(again.status).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await bidCount(a.id)).toBe(0);
    // A new key is a new request.
    expect((await post(`/v1/auctions/${a.id}/bids`, bob.token, 'fresh', { amount: 5000 })).status).toBe(201);
  });

  it('replays user creation with the same user and no token', async () => {
    const first = await post('/v1/users', t.daemon.adminToken, 'make-carol', { name: 'carol', balance: 70 });
    const again = await post('/v1/users', t.daemon.adminToken, 'make-carol', { name: 'carol', balance: 70 });
    expect(first.status).toBe(201);
    expect(first.json.token).toMatch(/^nb_u\d+_/);
    expect(again.status).toBe(201);
    expect(again.json).toEqual({ ...first.json, token: null });
    const carol = t.daemon.client(first.json.token as string);
    expect(await carol.me()).toMatchObject({ id: first.json.id, balance: 70 });
  });

  it('replays deposits, auction creation, buy and cancel without doing them twice', async () => {
    const dan = await seedUser(t.daemon, 0);
    for (let i = 0; i < 2; i++) expect((await post(`/v1/users/${dan.id}/deposits`, t.daemon.adminToken, 'dep', { amount: 800 })).status).toBe(200);
    expect(await dan.client.me()).toMatchObject({ balance: 800 });

    const body = { title: 'once', startPrice: 100, minIncrement: 10, durationSec: 600, buyNowPrice: 300 };
    const made = await post('/v1/auctions', t.seller.token, 'make-lot', body);
    const remade = await post('/v1/auctions', t.seller.token, 'make-lot', body);
    expect(remade.json).toEqual(made.json);
    const lots = await t.daemon.context.sql`SELECT id FROM auctions WHERE title = 'once'`;
    expect(lots).toHaveLength(1);

    const bought = await post(`/v1/auctions/${made.json.id}/buy`, dan.token, 'buy');
    const rebought = await post(`/v1/auctions/${made.json.id}/buy`, dan.token, 'buy');
    expect([bought.status, rebought.status]).toEqual([200, 200]);
    expect(rebought.json).toEqual(bought.json);
    expect(await dan.client.me()).toMatchObject({ balance: 500 });

    const lot = await seedAuction(t.seller);
    const cancelled = await post(`/v1/auctions/${lot.id}/cancel`, t.seller.token, 'cancel');
    const recancelled = await post(`/v1/auctions/${lot.id}/cancel`, t.seller.token, 'cancel');
    expect([cancelled.status, recancelled.status]).toEqual([200, 200]);
    expect(recancelled.headers['idempotent-replayed']).toBe('true');
  });

  it('stores a NOT_FOUND answer like any other', async () => {
    const first = await post('/v1/users/987654/deposits', t.daemon.adminToken, 'nobody', { amount: 5 });
    const again = await post('/v1/users/987654/deposits', t.daemon.adminToken, 'nobody', { amount: 5 });
    expect([first.status, again.status]).toEqual([404, 404]);
    expect(again.json).toEqual(first.json);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});

describe('reusing a key for something else', () => {
  it('is IDEMPOTENCY_CONFLICT for another body, another auction or another route', async () => {
    const [a, b] = await Promise.all([seedAuction(t.seller, { buyNowPrice: 900 }), seedAuction(t.seller)]);
    const erin = await seedUser(t.daemon, 1000);
    expect((await post(`/v1/auctions/${a.id}/bids`, erin.token, 'k', { amount: 100 })).status).toBe(201);
    for (const [path, body] of [
      [`/v1/auctions/${a.id}/bids`, { amount: 110 }],
      [`/v1/auctions/${b.id}/bids`, { amount: 100 }],
      [`/v1/auctions/${a.id}/buy`, {}],
      ['/v1/auctions', { title: 'x', startPrice: 1, minIncrement: 1, durationSec: 60 }],
    ] as const) {
      const r = await post(path, erin.token, 'k', body);
      expect(r.status, path).toBe(409);
      expect(r.json.error).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) });
    }
    expect(await t.daemon.admin.auction(a.id)).toMatchObject({ status: 'open', bidCount: 1, currentPrice: 100 });
    expect(await bidCount(b.id)).toBe(0);
  });

  it('keeps keys apart per caller', async () => {
    const a = await seedAuction(t.seller);
    const [f, g] = [await seedUser(t.daemon, 1000), await seedUser(t.daemon, 1000)];
    expect((await post(`/v1/auctions/${a.id}/bids`, f.token, 'shared', { amount: 100 })).status).toBe(201);
    expect((await post(`/v1/auctions/${a.id}/bids`, g.token, 'shared', { amount: 110 })).status).toBe(201);
    expect(await bidCount(a.id)).toBe(2);
  });

  it('refuses a malformed key', async () => {
    const a = await seedAuction(t.seller);
    const h = await seedUser(t.daemon, 1000);
    for (const key of ['has space', 'tab\there', 'x'.repeat(201), '']) {
      const r = await send(t.daemon.url, { path: `/v1/auctions/${a.id}/bids`, token: h.token, body: { amount: 100 }, headers: { 'idempotency-key': key } });
      expect(r.status, JSON.stringify(key)).toBe(400);
      expect(r.json.error.code).toBe('INVALID_INPUT');
    }
    expect(await bidCount(a.id)).toBe(0);
  });
});

describe('one key at the same instant', () => {
  /** Fires n copies of one request at once, alternating between the two daemons. */
  async function fireTogether(n: number, path: string, token: string, key: string, body: unknown = {}) {
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => post(path, token, key, body, i % 2 === 0 ? 'main' : 'other')),
    );
    const executed = answers.filter((r) => r.headers['idempotent-replayed'] !== 'true');
    expect(executed).toHaveLength(1);
    for (const r of answers) {
      expect(r.status).toBe(executed[0]!.status);
      expect({ ...r.json, token: null }).toEqual({ ...executed[0]!.json, token: null });
    }
    return executed[0]!;
  }

  it('bids once for ten copies of a bid over ten connections and two daemons', async () => {
    const a = await seedAuction(t.seller);
    const ivy = await seedUser(t.daemon, 1000);
    const r = await fireTogether(10, `/v1/auctions/${a.id}/bids`, ivy.token, 'together', { amount: 150 });
    expect(r.status).toBe(201);
    expect(await bidCount(a.id)).toBe(1);
    expect(await ivy.client.me()).toMatchObject({ held: 150 });
  });

  it('creates one user, deposits once and buys once', async () => {
    const made = await fireTogether(8, '/v1/users', t.daemon.adminToken, 'one-jack', { name: 'jack', balance: 1000 });
    expect(await t.daemon.context.sql`SELECT id FROM users WHERE name = 'jack'`).toHaveLength(1);
    const jackId = made.json.id as number;

    await fireTogether(8, `/v1/users/${jackId}/deposits`, t.daemon.adminToken, 'one-deposit', { amount: 250 });
    const jack = t.daemon.client(made.json.token as string);
    expect(await jack.me()).toMatchObject({ balance: 1250 });

    const a = await seedAuction(t.seller, { buyNowPrice: 1000 });
    const bought = await fireTogether(8, `/v1/auctions/${a.id}/buy`, made.json.token as string, 'one-buy');
    expect(bought.status).toBe(200);
    expect(await jack.me()).toMatchObject({ balance: 250, held: 0 });
    await expectRefused(jack.buy(a.id), 'AUCTION_CLOSED', { status: 'sold' });
  });
});
