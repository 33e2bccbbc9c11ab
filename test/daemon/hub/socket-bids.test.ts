// Bids over the socket (issue 17): a bid frame is answered by a `reply`
// carrying what POST /v1/auctions/:id/bids answers, only after its commit;
// its idempotency key is the HTTP route's (a retry on either edge replays the
// other); a refusal is a reply and the socket stays open; malformed frames
// get INVALID_INPUT error frames; the rate budget is HTTP's.
import { describe, expect, it } from 'vitest';
import type { ReplyFrame } from '../../../src/protocol/frames.js';
import { startDaemonFixture, useChecker, useRulesDaemon } from '../../helpers/fixture.js';
import { send } from '../../helpers/raw-http.js';
import { holdAuctionRow } from '../../helpers/row-lock.js';
import { seedAuction, seedUser, seedUsers } from '../../helpers/seed.js';
import { openWatcher, type Watcher } from '../../helpers/watcher.js';

const t = useRulesDaemon();
const checker = useChecker(t);

let refs = 0;

/** The reply to `ref` on a socket, once it has come. */
async function replyTo(w: Watcher, ref: number | string, ms = 30_000): Promise<ReplyFrame> {
  const find = () => w.frames.find((f): f is ReplyFrame => f.type === 'reply' && f.ref === ref);
  await w.until(() => find() !== undefined, ms, `the reply to ${ref}`);
  return find()!;
}

/** Sends a bid frame and waits for its reply. */
function bid(w: Watcher, auction: number, money: Record<string, unknown>, key?: string): Promise<ReplyFrame> {
  const ref = ++refs;
  w.send({ op: 'bid', ref, auction, ...money, ...(key ? { key } : {}) });
  return replyTo(w, ref);
}

/** A ping answered proves the daemon read every earlier frame of this socket and kept it open. */
async function stillOpen(w: Watcher): Promise<void> {
  const pongs = w.frames.filter((f) => f.type === 'pong').length;
  w.send({ op: 'ping' });
  await w.until((f) => f.filter((x) => x.type === 'pong').length > pongs, 10_000, 'pong');
}

const bidsOn = async (auction: number) =>
  (await checker.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM bids WHERE auction_id = ${auction}`)[0]!.n;

describe('a bid over the socket', () => {
  it('is answered with what POST /bids answers: 201 with the bid and the auction, or the refusal', async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const [ann, bob] = await seedUsers(t.daemon, 2, 10_000);
    const w = await openWatcher(t.daemon.url, { token: ann!.token });
    try {
      expect(w.frames[0]).toMatchObject({ type: 'welcome', features: ['batch', 'bid'], batch: false, limits: { maxBidsInFlight: 64 } });
      const accepted = await bid(w, a.id, { amount: 100 });
      expect(accepted.status).toBe(201);
      expect(accepted.replayed).toBeUndefined();
      const body = accepted.body as { bid: { id: number; amount: number; bidderId: number }; auction: { currentPrice: number } };
      expect(body.bid).toMatchObject({ auctionId: a.id, bidderId: ann!.id, amount: 100, version: 1 });
      expect(body.auction).toMatchObject({ id: a.id, currentPrice: 100, leaderId: ann!.id, minNextBid: 110 });
      // The same answer HTTP gives, field for field.
      const overHttp = await send(t.daemon.url, { path: `/v1/auctions/${a.id}/bids`, token: bob!.token, body: { amount: 110 } });
      expect(Object.keys(overHttp.json as object).sort()).toEqual(Object.keys(body).sort());
      expect(Object.keys((overHttp.json as typeof body).bid).sort()).toEqual(Object.keys(body.bid).sort());

      const low = await bid(w, a.id, { amount: 110 });
      const lowHttp = await send(t.daemon.url, { path: `/v1/auctions/${a.id}/bids`, token: bob!.token, body: { amount: 110 } });
      expect(low).toMatchObject({ type: 'reply', status: 422, body: { error: { code: 'BID_TOO_LOW', minimum: 120 } } });
      expect(low.status).toBe(lowHttp.status);
      expect(low.body).toEqual(lowHttp.json);
    } finally {
      await w.close();
    }
  });

  it('is refused by a rule with a reply carrying its error code, and the socket stays open', async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const poor = await seedUser(t.daemon, 50);
    const w = await openWatcher(t.daemon.url, { token: poor.token });
    const seller = await openWatcher(t.daemon.url, { token: t.seller.token });
    try {
      expect(await bid(w, a.id, { amount: 90 })).toMatchObject({ status: 422, body: { error: { code: 'BID_TOO_LOW', message: expect.any(String) } } });
      expect(await bid(w, a.id, { amount: 100 })).toMatchObject({ status: 422, body: { error: { code: 'INSUFFICIENT_FUNDS', available: 50 } } });
      expect(await bid(w, 999_999_999, { amount: 100 })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND', auction: 999_999_999 } } });
      expect(await bid(seller, a.id, { amount: 100 })).toMatchObject({ status: 422, body: { error: { code: 'SELF_BID' } } });
      await stillOpen(w);
      await stillOpen(seller);
      expect(w.ws.readyState).toBe(w.ws.OPEN);
      expect(await bidsOn(a.id)).toBe(0);
    } finally {
      await Promise.all([w.close(), seller.close()]);
    }
  });

  it('needs a user token: an anonymous socket gets 401 and an admin socket 403, as over HTTP', async () => {
    const a = await seedAuction(t.seller);
    const anon = await openWatcher(t.daemon.url);
    const admin = await openWatcher(t.daemon.url, { token: t.daemon.adminToken });
    try {
      expect(await bid(anon, a.id, { amount: 100 })).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      expect(await bid(admin, a.id, { amount: 100 })).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
      await stillOpen(anon);
      expect(await bidsOn(a.id)).toBe(0);
    } finally {
      await Promise.all([anon.close(), admin.close()]);
    }
  });

  it('takes a maximum bid `{max}` down the same path as HTTP, with the same answer', async () => {
    // Two auctions alike, one maximum each: one over the socket, one over HTTP.
    const [a, b] = [await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 }), await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 })];
    const ann = await seedUser(t.daemon, 10_000);
    const w = await openWatcher(t.daemon.url, { token: ann.token });
    try {
      const overSocket = await bid(w, a.id, { max: 500 });
      const overHttp = await send(t.daemon.url, { path: `/v1/auctions/${b.id}/bids`, token: ann.token, body: { max: 500 } });
      expect(overSocket.status).toBe(201);
      expect(overSocket.status).toBe(overHttp.status);
      const strip = (body: unknown) => {
        const r = body as { bid: Record<string, unknown>; bids: Record<string, unknown>[]; auction: Record<string, unknown> };
        const row = ({ id: _id, auctionId: _a, at: _at, ...rest }: Record<string, unknown>) => rest;
        const { id: _id, title: _t, createdAt: _c, endsAt: _e, ...auction } = r.auction;
        return { ...r, bid: row(r.bid), bids: r.bids.map(row), auction };
      };
      expect(strip(overSocket.body)).toEqual(strip(overHttp.json));
      expect(overSocket.body).toMatchObject({ leading: true, yourMax: 500, auction: { currentPrice: 100 } });
      // Exactly one of amount and max, as over HTTP.
      const both = await bid(w, a.id, { amount: 200, max: 600 });
      const bothHttp = await send(t.daemon.url, { path: `/v1/auctions/${b.id}/bids`, token: ann.token, body: { amount: 200, max: 600 } });
      expect(both).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
      expect(both.body).toEqual(bothHttp.json);
    } finally {
      await w.close();
    }
  });

  it("is followed by the private events its transaction wrote, for the bidder and whoever it outbid, once each and in order", async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const [ann, bob] = await seedUsers(t.daemon, 2, 10_000);
    const [wa, wb] = [await openWatcher(t.daemon.url, { token: ann!.token }), await openWatcher(t.daemon.url, { token: bob!.token })];
    try {
      // A user's private events, as seq:type (with the hold a balance shows).
      const privateOf = (w: Watcher) =>
        w.frames
          .filter((f) => f.type === 'balance' || f.type === 'outbid')
          .map((f) => `${(f as { seq: number }).seq}:${f.type === 'balance' ? `held ${(f as { held: number }).held}` : f.type}`);
      const starts = [wa, wb].map((w) => (w.frames[0] as { inbox: number }).inbox);
      expect((await bid(wa, a.id, { amount: 100 })).status).toBe(201);
      await wa.until(() => privateOf(wa).length === 1, 10_000, "ann's hold");
      // Bob outbids ann: his hold; ann hears she was outbid, then her hold released.
      expect((await bid(wb, a.id, { amount: 150 })).status).toBe(201);
      await wb.until(() => privateOf(wb).length === 1, 10_000, "bob's hold");
      await wa.until(() => privateOf(wa).length === 3, 10_000, "ann's outbid");
      // A sentinel: a deposit's balance comes after everything the bids wrote.
      await t.daemon.admin.deposit(ann!.id, 1);
      await wa.until(() => privateOf(wa).length === 4, 10_000, "ann's deposit");
      const s = starts[0]!;
      expect(privateOf(wa)).toEqual([`${s + 1}:held 100`, `${s + 2}:outbid`, `${s + 3}:held 0`, `${s + 4}:held 0`]);
      expect(privateOf(wb)).toEqual([`${starts[1]! + 1}:held 150`]);
    } finally {
      await Promise.all([wa.close(), wb.close()]);
    }
  });
});

describe('bad bid frames', () => {
  it('get INVALID_INPUT error frames (with the ref when it can be read), and the socket stays open', async () => {
    const a = await seedAuction(t.seller);
    const ann = await seedUser(t.daemon, 10_000);
    const w = await openWatcher(t.daemon.url, { token: ann.token });
    try {
      const errors = () => w.frames.filter((f) => f.type === 'error');
      const cases: { frame: unknown; ref?: unknown; mentions: RegExp }[] = [
        { frame: { op: 'bid', auction: a.id, amount: 100 }, mentions: /ref/ },
        { frame: { op: 'bid', ref: { no: 1 }, auction: a.id, amount: 100 }, mentions: /ref/ },
        { frame: { op: 'bid', ref: 'x'.repeat(65), auction: a.id, amount: 100 }, mentions: /ref/ },
        { frame: { op: 'bid', ref: 'r-amount', auction: a.id, amount: -5 }, ref: 'r-amount', mentions: /amount/ },
        { frame: { op: 'bid', ref: 'r-fraction', auction: a.id, amount: 100.5 }, ref: 'r-fraction', mentions: /amount/ },
        { frame: { op: 'bid', ref: 'r-string', auction: a.id, amount: '100' }, ref: 'r-string', mentions: /amount/ },
        { frame: { op: 'bid', ref: 'r-auction', auction: 0, amount: 100 }, ref: 'r-auction', mentions: /auction/ },
        { frame: { op: 'bid', ref: 'r-extra', auction: a.id, amount: 100, price: 1 }, ref: 'r-extra', mentions: /price/ },
        { frame: { op: 'bid', ref: 'r-key', auction: a.id, amount: 100, key: 'has space' }, ref: 'r-key', mentions: /key/ },
        { frame: '{"op":"bid","ref":1,', mentions: /JSON/ },
        { frame: { op: 'bids', ref: 2 }, mentions: /Unknown op/ },
      ];
      for (const [i, c] of cases.entries()) {
        w.send(c.frame);
        await w.until(() => errors().length === i + 1, 10_000, `the error for case ${i}`);
        const e = errors()[i]!;
        expect(e, JSON.stringify(c.frame)).toMatchObject({ type: 'error', code: 'INVALID_INPUT' });
        expect((e as { message: string }).message).toMatch(c.mentions);
        if (c.ref !== undefined) expect(e).toMatchObject({ ref: c.ref, op: 'bid' });
        else expect(e).not.toHaveProperty('ref');
      }
      w.ws.send(Buffer.from('{"op":"bid"}'), { binary: true });
      await w.until(() => errors().length === cases.length + 1, 10_000, 'the binary frame error');
      expect(errors().at(-1)).toMatchObject({ code: 'INVALID_INPUT' });
      // No bid frame above got a reply (none was well-formed), and the socket still bids.
      expect(w.frames.filter((f) => f.type === 'reply')).toEqual([]);
      expect(await bid(w, a.id, { amount: 100 })).toMatchObject({ status: 201 });
    } finally {
      await w.close();
    }
  });
});

describe('the reply comes only after commit', () => {
  it('sends no reply while another transaction holds the auction row; every 201 that arrives is committed', async () => {
    const bidders = await seedUsers(t.daemon, 6, 10_000);
    const auction = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const sockets = await Promise.all(bidders.map((b) => openWatcher(t.daemon.url, { token: b.token })));
    interface Arrival { ref: number; reply: ReplyFrame; visibleOnArrival: boolean | undefined }
    const arrivals: Arrival[] = [];
    const held: number[] = [];
    // Each reply is checked from another connection the moment it arrives.
    const onReply = (w: Watcher, ref: number) =>
      replyTo(w, ref).then(async (reply) => {
        const id = (reply.body as { bid?: { id: number } }).bid?.id;
        const visible = id === undefined ? undefined : (await checker.sql`SELECT id FROM bids WHERE id = ${id}`).length === 1;
        arrivals.push({ ref, reply, visibleOnArrival: visible });
      });
    const row = await holdAuctionRow(t.db.url, auction.id);
    let waiting: Promise<unknown> | undefined;
    try {
      waiting = Promise.all(
        sockets.map((w, i) => {
          const ref = ++refs;
          held.push(ref);
          w.send({ op: 'bid', ref, auction: auction.id, amount: 100 + 10 * i });
          return onReply(w, ref);
        }),
      );
      await row.waitedOn();
      // A sentinel on every socket: a bid on another auction, sent after the
      // held one on the same socket and answered while it waits. A reply to a
      // held bid sent early would have arrived before it (one TCP stream).
      const other = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
      const sentinels = await Promise.all(sockets.map((w, i) => bid(w, other.id, { amount: 100 + 10 * i })));
      expect(sentinels.map((r) => r.status)).toContain(201);
      expect(arrivals).toEqual([]);
      for (const w of sockets) expect(w.frames.some((f) => f.type === 'reply' && held.includes(f.ref as number))).toBe(false);
      await row.release();
      await waiting;
    } finally {
      await row.release();
      await waiting?.catch(() => {});
      await Promise.all(sockets.map((w) => w.close()));
    }
    const accepted = arrivals.filter((a) => a.reply.status === 201);
    expect(accepted.length).toBeGreaterThan(0);
    for (const a of arrivals) expect([201, 422]).toContain(a.reply.status);
    for (const a of accepted) expect(a.visibleOnArrival, `reply ${a.ref}`).toBe(true);
    const rows = await checker.sql<{ id: number }[]>`SELECT id::int AS id FROM bids WHERE auction_id = ${auction.id} ORDER BY id`;
    expect(rows.map((r) => r.id)).toEqual(accepted.map((a) => (a.reply.body as { bid: { id: number } }).bid.id).sort((x, y) => x - y));
  });
});

describe('idempotency over the socket', () => {
  it('replays the first answer for the same key and money, and refuses the key for other money', async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const ann = await seedUser(t.daemon, 10_000);
    const w = await openWatcher(t.daemon.url, { token: ann.token });
    try {
      const first = await bid(w, a.id, { amount: 100 }, 'sock-1');
      const again = await bid(w, a.id, { amount: 100 }, 'sock-1');
      expect(first).toMatchObject({ status: 201 });
      expect(first.replayed).toBeUndefined();
      expect(again).toMatchObject({ status: 201, replayed: true });
      expect(again.body).toEqual(first.body);
      const other = await bid(w, a.id, { amount: 200 }, 'sock-1');
      expect(other).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_CONFLICT' } } });
      // A refusal is stored too: its retry is the same refusal, even once the bid would pass.
      const low = await bid(w, a.id, { amount: 50 }, 'sock-low');
      expect(low).toMatchObject({ status: 422, body: { error: { code: 'BID_TOO_LOW' } } });
      expect(await bid(w, a.id, { amount: 50 }, 'sock-low')).toMatchObject({ status: 422, replayed: true, body: low.body });
      expect(await bidsOn(a.id)).toBe(1);
    } finally {
      await w.close();
    }
  });

  it('recognises an HTTP bid retried over the socket, and a socket bid retried over HTTP, as the same request', async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const ann = await seedUser(t.daemon, 10_000);
    const w = await openWatcher(t.daemon.url, { token: ann.token });
    const post = (key: string, body: unknown) =>
      send(t.daemon.url, { path: `/v1/auctions/${a.id}/bids`, token: ann.token, body, headers: { 'idempotency-key': key } });
    try {
      const overHttp = await post('cross-1', { amount: 100 });
      expect(overHttp.status).toBe(201);
      const retriedOnSocket = await bid(w, a.id, { amount: 100 }, 'cross-1');
      expect(retriedOnSocket).toMatchObject({ status: 201, replayed: true });
      expect(retriedOnSocket.body).toEqual(overHttp.json);

      const onSocket = await bid(w, a.id, { amount: 110 }, 'cross-2');
      expect(onSocket).toMatchObject({ status: 201 });
      const retriedOverHttp = await post('cross-2', { amount: 110 });
      expect(retriedOverHttp.status).toBe(201);
      expect(retriedOverHttp.headers['idempotent-replayed']).toBe('true');
      expect(retriedOverHttp.json).toEqual(onSocket.body);

      // Other money under a key used on the other edge is a conflict, both ways.
      expect(await bid(w, a.id, { amount: 500 }, 'cross-1')).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_CONFLICT' } } });
      expect((await post('cross-2', { amount: 500 })).status).toBe(409);
      expect(await bidsOn(a.id)).toBe(2);
    } finally {
      await w.close();
    }
  });
});

describe('limits of socket bids', () => {
  it('counts socket bids in the same rate budget as HTTP requests, and answers RATE_LIMITED without closing', async () => {
    const f = await startDaemonFixture({ rateLimit: { max: 4, windowMs: 60_000 } });
    try {
      const seller = await seedUser(f.daemon, 0);
      const ann = await seedUser(f.daemon, 10_000);
      const a = await seedAuction(seller);
      const w = await openWatcher(f.daemon.url, { token: ann.token });
      try {
        // Two requests over HTTP (GET /v1/me) and two bids on the socket use the budget of 4.
        await ann.client.me();
        await ann.client.me();
        expect(await bid(w, a.id, { amount: 100 })).toMatchObject({ status: 201 });
        expect(await bid(w, a.id, { amount: 110 })).toMatchObject({ status: 201 });
        const limited = await bid(w, a.id, { amount: 120 });
        expect(limited).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED', limit: 4, windowMs: 60_000 } } });
        expect(limited.retryAfter).toBeGreaterThan(0);
        expect((await send(f.daemon.url, { path: '/v1/me', token: ann.token })).status).toBe(429);
        await stillOpen(w);
        expect(await bidsOn(a.id)).toBe(2);
      } finally {
        await w.close();
      }
    } finally {
      await f.close();
    }
  });

  it('answers RATE_LIMITED at once past the bids one socket may have in flight', async () => {
    const f = await startDaemonFixture({ sockets: { maxBidsInFlight: 2 } });
    try {
      const seller = await seedUser(f.daemon, 0);
      const ann = await seedUser(f.daemon, 10_000);
      const a = await seedAuction(seller);
      const w = await openWatcher(f.daemon.url, { token: ann.token });
      const row = await holdAuctionRow(f.db.url, a.id);
      try {
        const held = [bid(w, a.id, { amount: 100 }), bid(w, a.id, { amount: 110 })];
        const third = await bid(w, a.id, { amount: 120 });
        expect(third).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED', inFlight: 2 } } });
        await row.release();
        expect((await Promise.all(held)).map((r) => r.status)).toEqual([201, 201]);
        expect(await bid(w, a.id, { amount: 120 })).toMatchObject({ status: 201 });
      } finally {
        await row.release();
        await w.close();
      }
    } finally {
      await f.close();
    }
  });
});
