// Creating, showing and listing auctions over HTTP: the JSON shape, recent
// bids, and keyset pagination that neither skips nor repeats.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Auction } from '../../../src/protocol/types.js';
import type { HttpClient } from '../../../src/client/http-client.js';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { send } from '../../helpers/raw-http.js';
import { seedAuction, seedUser, seedUsers, type SeededUser } from '../../helpers/seed.js';

const t = useRulesDaemon();
let bidder: SeededUser;

beforeAll(async () => {
  bidder = await seedUser(t.daemon, 1_000_000);
});

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every auction of a listing, page by page; fails on a repeat. */
async function listAll(client: HttpClient, status: 'open' | 'closed' | 'all', limit: number): Promise<Auction[]> {
  const seen: Auction[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const r = await client.listAuctions({ status, limit, cursor });
    expect(r.auctions.length).toBeLessThanOrEqual(limit);
    seen.push(...r.auctions);
    if (!r.nextCursor) break;
    expect(r.auctions).toHaveLength(limit);
    cursor = r.nextCursor;
  }
  expect(new Set(seen.map((a) => a.id)).size).toBe(seen.length);
  return seen;
}

describe('creating and showing auctions', () => {
  it('answers 201 with the whole auction', async () => {
    const before = Date.now();
    const r = await send(t.daemon.url, {
      path: '/v1/auctions', token: t.seller.token,
      body: { title: '  Brass lamp  ', startPrice: 250, minIncrement: 25, durationSec: 3600, buyNowPrice: 900, softCloseSec: 120 },
    });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({
      id: expect.any(Number), title: 'Brass lamp', sellerId: t.seller.id, status: 'open',
      startPrice: 250, minIncrement: 25, increments: [{ from: 0, step: 25 }], hasReserve: false, reserveMet: false,
      buyNowPrice: 900, buyNowUntil: 'price', buyNowAvailable: true, softCloseSec: 120,
      currentPrice: null, leaderId: null, bidCount: 0, minNextBid: 250,
      endsAt: expect.stringMatching(ISO_MS), createdAt: expect.stringMatching(ISO_MS), version: 0, unsoldReason: null,
    });
    const endsAt = Date.parse(r.json.endsAt as string);
    expect(endsAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(endsAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    // Shown, it also says how many watch it (nobody here).
    expect(await t.daemon.admin.auction(r.json.id as number)).toEqual({ ...r.json, recentBids: [], watching: 0 });
  });

  it('takes an end time with an offset and keeps it to the millisecond', async () => {
    const end = new Date(Date.now() + 2 * 3600_000);
    end.setUTCMilliseconds(123);
    const local = end.toISOString().replace('Z', '+00:00');
    const a = await seedAuction(t.seller, { endsAt: local });
    expect(a.endsAt).toBe(end.toISOString());
    // The same instant written two hours ahead of UTC.
    const ahead = new Date(end.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    const b = await seedAuction(t.seller, { endsAt: ahead });
    expect(b.endsAt).toBe(end.toISOString());
  });

  it('shows the newest 20 bids, newest first', async () => {
    const a = await seedAuction(t.seller, { startPrice: 10, minIncrement: 1 });
    const [x, y] = await seedUsers(t.daemon, 2, 10_000);
    for (let i = 0; i < 23; i++) await (i % 2 === 0 ? x! : y!).client.bid(a.id, 10 + i);
    const shown = await t.daemon.client().auction(a.id);
    expect(shown).toMatchObject({ bidCount: 23, currentPrice: 32, leaderId: x!.id, minNextBid: 33, version: 23 });
    expect(shown.recentBids).toHaveLength(20);
    expect(shown.recentBids.map((b) => b.amount)).toEqual(Array.from({ length: 20 }, (_, i) => 32 - i));
    expect(shown.recentBids[0]).toEqual({
      id: expect.any(Number), auctionId: a.id, bidderId: x!.id, amount: 32, version: 23, at: expect.stringMatching(ISO_MS),
      automatic: false,
    });
  });
});

describe('listing auctions', () => {
  let mine: Auction[];
  beforeAll(async () => {
    // Distinct ends, created out of order, plus some that are no longer open.
    const durations = [900, 300, 1200, 600, 60, 1500, 450, 2000, 750, 100, 1300];
    mine = [];
    for (const d of durations) mine.push(await seedAuction(t.seller, { durationSec: d }));
    for (const a of mine.slice(0, 3)) await t.seller.client.cancel(a.id);
    await bidder.client.bid(mine[3]!.id, 100);
  });

  it('lists open auctions soonest-ending first, a page at a time, without gaps or repeats', async () => {
    const open = mine.slice(3).sort((p, q) => p.endsAt.localeCompare(q.endsAt) || p.id - q.id);
    for (const limit of [1, 3, 200]) {
      const listed = await listAll(t.daemon.client(), 'open', limit);
      for (const a of listed) expect(a.status).toBe('open');
      const byEnd = listed.map((a) => `${a.endsAt}#${String(a.id).padStart(10, '0')}`);
      expect(byEnd).toEqual([...byEnd].sort());
      expect(listed.filter((a) => mine.some((m) => m.id === a.id)).map((a) => a.id)).toEqual(open.map((a) => a.id));
    }
    const first = await t.daemon.client().listAuctions();
    expect(first.auctions.find((a) => a.id === mine[3]!.id)).toMatchObject({ bidCount: 1, currentPrice: 100 });
  });

  it('lists other statuses newest first, and all of them with status=all', async () => {
    const cancelled = await listAll(t.daemon.client(), 'all', 2);
    const ids = cancelled.map((a) => a.id);
    expect(ids).toEqual([...ids].sort((p, q) => q - p));
    for (const m of mine) expect(ids).toContain(m.id);

    const onlyCancelled = (await t.daemon.client().listAuctions({ status: 'cancelled', limit: 2 }));
    expect(onlyCancelled.auctions.map((a) => a.id)).toEqual([mine[2]!.id, mine[1]!.id]);
    const rest = await t.daemon.client().listAuctions({ status: 'cancelled', limit: 2, cursor: onlyCancelled.nextCursor! });
    expect(rest).toEqual({ auctions: [expect.objectContaining({ id: mine[0]!.id, status: 'cancelled' })], nextCursor: null });
  });

  it('refuses a cursor it did not give out, or one given out for another status', async () => {
    const other = await t.daemon.client().listAuctions({ status: 'all', limit: 1 });
    const forged = [
      other.nextCursor!,
      Buffer.from(JSON.stringify({ id: 1, endsAt: 5 })).toString('base64url'),
      Buffer.from(JSON.stringify({ id: 1, endsAt: 'Tue, 1 Jan 2030' })).toString('base64url'),
      Buffer.from(JSON.stringify({ id: 'x' })).toString('base64url'),
      Buffer.from('null').toString('base64url'),
    ];
    const open = await t.daemon.client().listAuctions({ status: 'open', limit: 1 });
    forged.push(open.nextCursor!); // an open listing's cursor, used below for status=all
    for (const [i, cursor] of forged.entries()) {
      const status = i === forged.length - 1 ? 'all' : 'open';
      const r = await send(t.daemon.url, { path: `/v1/auctions?status=${status}&cursor=${cursor}` });
      expect(r.status, Buffer.from(cursor, 'base64url').toString()).toBe(400);
      expect(r.json.error.code).toBe('INVALID_INPUT');
    }
  });
});
