// The bid rule against a real PostgreSQL over real HTTP: minimums, holds,
// outbids, raising your own bid, funds, ended auctions and soft close.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_MONEY } from '../../../src/protocol/money.js';
import { MANUAL_CLOSER, useDaemon, useRulesDaemon } from '../../helpers/fixture.js';
import {
  ENDS_SOON,
  auctionEvents,
  auctionLedger,
  expectAuditClean,
  expectRefused,
  seedAuction,
  seedUser,
  seedUsers,
  waitUntilEnded,
} from '../../helpers/seed.js';

const t = useRulesDaemon();

describe('bids', () => {
  it('accepts a first bid of at least the start price and holds it', async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const alice = await seedUser(t.daemon, 1000);
    await expectRefused(alice.client.bid(a.id, 99), 'BID_TOO_LOW', { minimum: 100 });

    const r = await alice.client.bid(a.id, 100);
    expect(r.bid).toMatchObject({ auctionId: a.id, bidderId: alice.id, amount: 100, version: 1 });
    expect(r.auction).toMatchObject({ currentPrice: 100, leaderId: alice.id, bidCount: 1, minNextBid: 110, version: 1 });
    expect(await alice.client.me()).toMatchObject({ balance: 1000, held: 100, available: 900 });
    expect(await auctionLedger(t.daemon.context.sql, a.id)).toEqual([
      { userId: alice.id, kind: 'hold', amount: 100, deltaBalance: 0, deltaHeld: 100 },
    ]);
  });

  it('requires later bids to reach the current price plus the increment', async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const [alice, bob] = await seedUsers(t.daemon, 2, 1000);
    await alice!.client.bid(a.id, 100);
    await expectRefused(bob!.client.bid(a.id, 109), 'BID_TOO_LOW', { minimum: 110 });
    const r = await bob!.client.bid(a.id, 110);
    expect(r.auction).toMatchObject({ currentPrice: 110, leaderId: bob!.id, minNextBid: 120, bidCount: 2, version: 2 });
    // A refused bid changes nothing: not the auction, not the refused bidder.
    const shown = await t.daemon.admin.auction(a.id);
    expect(shown.recentBids.map((b) => [b.bidderId, b.amount, b.version])).toEqual([
      [bob!.id, 110, 2],
      [alice!.id, 100, 1],
    ]);
  });

  it("releases the previous leader's hold and tells them privately", async () => {
    const a = await seedAuction(t.seller);
    const [alice, bob] = await seedUsers(t.daemon, 2, 1000);
    await alice!.client.bid(a.id, 100);
    await bob!.client.bid(a.id, 110);

    expect(await alice!.client.me()).toMatchObject({ balance: 1000, held: 0, available: 1000 });
    expect(await bob!.client.me()).toMatchObject({ balance: 1000, held: 110, available: 890 });
    expect(await auctionLedger(t.daemon.context.sql, a.id)).toEqual([
      { userId: alice!.id, kind: 'hold', amount: 100, deltaBalance: 0, deltaHeld: 100 },
      { userId: alice!.id, kind: 'release', amount: 100, deltaBalance: 0, deltaHeld: -100 },
      { userId: bob!.id, kind: 'hold', amount: 110, deltaBalance: 0, deltaHeld: 110 },
    ]);
    const events = await auctionEvents(t.daemon.context.sql, a.id);
    expect(events.map((e) => [e.version, e.type])).toEqual([[1, 'bid'], [2, 'bid']]);
    expect(events[1]!.payload).toMatchObject({ bidderId: bob!.id, previousLeaderId: alice!.id, price: 110 });
    expect(events[1]!.private).toMatchObject({ outbid: { userId: alice!.id, released: 100 } });
    expect(events[0]!.private).not.toHaveProperty('outbid');
  });

  it('lets the leader raise their own bid, counting their hold as available', async () => {
    const a = await seedAuction(t.seller);
    const carol = await seedUser(t.daemon, 150);
    await carol.client.bid(a.id, 100);
    const r = await carol.client.bid(a.id, 150);
    expect(r.auction).toMatchObject({ currentPrice: 150, leaderId: carol.id, bidCount: 2 });
    expect(await carol.client.me()).toMatchObject({ balance: 150, held: 150, available: 0 });
    await expectRefused(carol.client.bid(a.id, 160), 'INSUFFICIENT_FUNDS', { available: 150 });

    const events = await auctionEvents(t.daemon.context.sql, a.id);
    expect(events[1]!.payload).toMatchObject({ previousLeaderId: carol.id });
    expect(events[1]!.private).not.toHaveProperty('outbid');
  });

  it("refuses a bid that the bidder's available funds do not cover", async () => {
    const [a, b] = await Promise.all([seedAuction(t.seller), seedAuction(t.seller)]);
    const dave = await seedUser(t.daemon, 150);
    await expectRefused(dave.client.bid(a.id, 200), 'INSUFFICIENT_FUNDS', { available: 150 });
    await dave.client.bid(a.id, 100);
    // The hold on the first auction is not available for the second.
    await expectRefused(dave.client.bid(b.id, 100), 'INSUFFICIENT_FUNDS', { available: 50 });
    expect(await dave.client.me()).toMatchObject({ balance: 150, held: 100, available: 50 });
  });

  it("refuses the seller's bid on their own auction", async () => {
    const rich = await seedUser(t.daemon, 10_000);
    const a = await seedAuction(rich);
    const err = await expectRefused(rich.client.bid(a.id, 100), 'SELF_BID');
    expect(err.status).toBe(422);
    expect((await t.daemon.admin.auction(a.id)).bidCount).toBe(0);
  });

  it('answers NOT_FOUND for an auction that does not exist', async () => {
    const alice = await seedUser(t.daemon, 1000);
    const err = await expectRefused(alice.client.bid(987_654, 100), 'NOT_FOUND', { auction: 987_654 });
    expect(err.status).toBe(404);
  });

  it('refuses bids once the auction has ended, before and after the closer settles it', async () => {
    const a = await seedAuction(t.seller, { durationSec: ENDS_SOON });
    const [alice, bob] = await seedUsers(t.daemon, 2, 1000);
    await alice!.client.bid(a.id, 100);
    await waitUntilEnded(a.endsAt);

    const early = await expectRefused(bob!.client.bid(a.id, 200), 'AUCTION_CLOSED', { status: 'open' });
    expect(early.status).toBe(409);
    expect(await t.daemon.closer.runOnce()).toBeGreaterThanOrEqual(1);
    await expectRefused(bob!.client.bid(a.id, 200), 'AUCTION_CLOSED', { status: 'closed' });
    expect(await bob!.client.me()).toMatchObject({ held: 0 });
  });
});

describe('soft close', () => {
  it('moves the end of an auction bid on inside its window and writes an extended event', async () => {
    const a = await seedAuction(t.seller, { durationSec: 30, softCloseSec: 120 });
    const alice = await seedUser(t.daemon, 1000);
    const before = Date.now();
    const r = await alice.client.bid(a.id, 100);
    const after = Date.now();

    const endsAt = Date.parse(r.auction.endsAt);
    expect(endsAt).toBeGreaterThan(Date.parse(a.endsAt));
    // now + 120 s, judged by the database clock: allow for a second of skew.
    expect(endsAt).toBeGreaterThanOrEqual(before + 119_000);
    expect(endsAt).toBeLessThanOrEqual(after + 121_000);
    expect(r.auction.version).toBe(2);
    expect((await t.daemon.admin.auction(a.id)).endsAt).toBe(r.auction.endsAt);

    const events = await auctionEvents(t.daemon.context.sql, a.id);
    expect(events.map((e) => [e.version, e.type])).toEqual([[1, 'bid'], [2, 'extended']]);
    expect(events[0]!.payload).toMatchObject({ endsAt: r.auction.endsAt });
    expect(events[1]!.payload).toMatchObject({
      type: 'extended', auction: a.id, version: 2, endsAt: r.auction.endsAt, bidId: r.bid!.id,
    });
  });

  it('leaves the end alone for a bid outside the window', async () => {
    const a = await seedAuction(t.seller, { durationSec: 600, softCloseSec: 60 });
    const alice = await seedUser(t.daemon, 1000);
    const r = await alice.client.bid(a.id, 100);
    expect(r.auction.endsAt).toBe(a.endsAt);
    expect(r.auction.version).toBe(1);
    expect((await auctionEvents(t.daemon.context.sql, a.id)).map((e) => e.type)).toEqual(['bid']);
  });
});

describe('concurrent bids on one auction', () => {
  it('keeps the highest accepted bid as leader and holds only its amount', async () => {
    const a = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10 });
    const bidders = await seedUsers(t.daemon, 24, 10_000);
    // Distinct amounts in a scrambled order, each over its own connection at once.
    const amounts = bidders.map((_, i) => 100 + 10 * ((i * 7) % bidders.length));
    const results = await Promise.allSettled(bidders.map((u, i) => u.clientFor(t.daemon.url).bid(a.id, amounts[i]!)));

    const accepted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ user: bidders[i]!, amount: amounts[i]! }] : []));
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('BID_TOO_LOW');
    }
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    const top = accepted.reduce((x, y) => (y.amount > x.amount ? y : x));
    const shown = await t.daemon.admin.auction(a.id);
    expect(shown).toMatchObject({ leaderId: top.user.id, currentPrice: top.amount, bidCount: accepted.length });

    // Recorded bids rise by at least the increment, version after version.
    const recorded = await t.daemon.context.sql<{ amount: number; version: number }[]>`
      SELECT amount, version FROM bids WHERE auction_id = ${a.id} ORDER BY version`;
    expect(recorded.map((b) => b.version)).toEqual(recorded.map((_, i) => i + 1));
    for (let i = 1; i < recorded.length; i++) expect(recorded[i]!.amount).toBeGreaterThanOrEqual(recorded[i - 1]!.amount + 10);

    const mes = await Promise.all(bidders.map((u) => u.client.me()));
    for (const [i, me] of mes.entries()) expect(me.held).toBe(bidders[i]!.id === top.user.id ? top.amount : 0);
  });
});

describe('the largest amounts', () => {
  // Its own database: one user holds all the money there is (2^53−1).
  const big = useDaemon(MANUAL_CLOSER);
  afterEach(() => expectAuditClean(big.daemon.admin));

  it('accepts a bid up to 2^53−1 and then refuses any higher bid as impossible', async () => {
    const owner = await seedUser(big.daemon);
    const whale = await seedUser(big.daemon, MAX_MONEY);
    const a = await seedAuction(owner, { startPrice: MAX_MONEY - 5, minIncrement: 10 });
    const r = await whale.client.bid(a.id, MAX_MONEY - 5);
    expect(r.auction).toMatchObject({ currentPrice: MAX_MONEY - 5, minNextBid: null });
    const err = await expectRefused(whale.client.bid(a.id, MAX_MONEY), 'BID_TOO_LOW', { minimum: null });
    expect(err.message).toMatch(/no higher bid/i);
  });
});
