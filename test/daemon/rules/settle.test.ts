// Settlement at close, driven by closer.runOnce() so nothing waits on a timer:
// the winner's hold becomes a charge, the seller is paid, exactly once.
import { describe, expect, it } from 'vitest';
import { sqlArray } from '../../../src/daemon/db/database.js';
import { useRulesDaemon } from '../../helpers/fixture.js';
import {
  ENDS_SOON,
  auctionEvents,
  auctionLedger,
  seedAuction,
  seedUser,
  seedUsers,
  waitUntilEnded,
} from '../../helpers/seed.js';

const t = useRulesDaemon();

describe('settlement', () => {
  it('closes an ended auction: the winner is charged, the seller paid, the outbid released', async () => {
    const a = await seedAuction(t.seller, { durationSec: ENDS_SOON });
    const [alice, bob] = await seedUsers(t.daemon, 2, 1000);
    await alice!.client.bid(a.id, 100);
    await bob!.client.bid(a.id, 150);
    const sellerBefore = (await t.seller.client.me()).balance;
    await waitUntilEnded(a.endsAt);

    expect(await t.daemon.closer.runOnce()).toBe(1);
    expect(await t.daemon.admin.auction(a.id)).toMatchObject({
      status: 'closed', leaderId: bob!.id, currentPrice: 150, minNextBid: null, version: 3,
    });
    expect(await bob!.client.me()).toMatchObject({ balance: 850, held: 0, available: 850 });
    expect(await alice!.client.me()).toMatchObject({ balance: 1000, held: 0 });
    expect((await t.seller.client.me()).balance).toBe(sellerBefore + 150);
    expect((await auctionLedger(t.daemon.context.sql, a.id)).slice(-2)).toEqual([
      { userId: bob!.id, kind: 'charge', amount: 150, deltaBalance: -150, deltaHeld: -150 },
      { userId: t.seller.id, kind: 'payout', amount: 150, deltaBalance: 150, deltaHeld: 0 },
    ]);
    const closed = (await auctionEvents(t.daemon.context.sql, a.id)).at(-1)!;
    expect(closed).toMatchObject({ version: 3, type: 'closed' });
    expect(closed.payload).toMatchObject({ status: 'closed', winnerId: bob!.id, price: 150, endsAt: a.endsAt });
  });

  it('marks an ended auction without bids unsold and moves no money', async () => {
    const a = await seedAuction(t.seller, { durationSec: 1 });
    await waitUntilEnded(a.endsAt);
    expect(await t.daemon.closer.runOnce()).toBe(1);
    expect(await t.daemon.admin.auction(a.id)).toMatchObject({ status: 'unsold', leaderId: null, currentPrice: null, version: 1 });
    expect(await auctionLedger(t.daemon.context.sql, a.id)).toEqual([]);
    const events = await auctionEvents(t.daemon.context.sql, a.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ type: 'closed', status: 'unsold', winnerId: null, price: null });
  });

  it('leaves auctions that have not ended alone', async () => {
    const a = await seedAuction(t.seller, { durationSec: 600 });
    const alice = await seedUser(t.daemon, 1000);
    await alice.client.bid(a.id, 100);
    expect(await t.daemon.closer.runOnce()).toBe(0);
    expect(await t.daemon.admin.auction(a.id)).toMatchObject({ status: 'open', version: 1 });
    expect(await alice.client.me()).toMatchObject({ held: 100 });
  });

  it('settles a backlog larger than one batch, each auction exactly once', async () => {
    const n = 130; // more than the closer's batch of 100
    const auctions = await Promise.all(Array.from({ length: n }, () => seedAuction(t.seller, { durationSec: 2 * ENDS_SOON })));
    const bidders = await seedUsers(t.daemon, 5, 100_000);
    // Every other auction gets a bid; the rest end unsold.
    await Promise.all(auctions.filter((_, i) => i % 2 === 0).map((a, i) => bidders[i % bidders.length]!.client.bid(a.id, 100 + i)));
    await waitUntilEnded(auctions.map((a) => a.endsAt).sort().at(-1)!);

    expect(await t.daemon.closer.runOnce()).toBe(n);
    expect(await t.daemon.closer.runOnce()).toBe(0);

    const ids = auctions.map((a) => a.id);
    const rows = await t.daemon.context.sql<{ id: number; status: string; charges: number; payouts: number; closed: number }[]>`
      SELECT a.id, a.status,
             (SELECT count(*) FROM ledger l WHERE l.auction_id = a.id AND l.kind = 'charge')::bigint AS charges,
             (SELECT count(*) FROM ledger l WHERE l.auction_id = a.id AND l.kind = 'payout')::bigint AS payouts,
             (SELECT count(*) FROM events e WHERE e.auction_id = a.id AND e.type = 'closed')::bigint AS closed
        FROM auctions a WHERE a.id = ANY (${sqlArray(ids)}::bigint[]) ORDER BY a.id`;
    expect(rows).toHaveLength(n);
    const withBid = new Set(ids.filter((_, i) => i % 2 === 0));
    for (const r of rows) {
      const sold = withBid.has(r.id);
      expect(r).toEqual({ id: r.id, status: sold ? 'closed' : 'unsold', charges: sold ? 1 : 0, payouts: sold ? 1 : 0, closed: 1 });
    }
    for (const u of bidders) expect((await u.client.me()).held).toBe(0);

    const closedList = await t.daemon.admin.listAuctions({ status: 'closed', limit: 200 });
    const unsoldList = await t.daemon.admin.listAuctions({ status: 'unsold', limit: 200 });
    expect(closedList.auctions.filter((a) => ids.includes(a.id))).toHaveLength(n / 2);
    expect(unsoldList.auctions.filter((a) => ids.includes(a.id))).toHaveLength(n / 2);
  });
});
