// Buy now against a real PostgreSQL over real HTTP, including a buy racing
// bids on the same auction over separate connections.
import { describe, expect, it } from 'vitest';
import type { NbError } from '../../../src/protocol/errors.js';
import type { BidResult } from '../../../src/protocol/types.js';
import { useRulesDaemon } from '../../helpers/fixture.js';
import {
  auctionEvents,
  auctionLedger,
  expectRefused,
  seedAuction,
  seedUser,
  seedUsers,
  waitUntilEnded,
  type SeededUser,
} from '../../helpers/seed.js';

const t = useRulesDaemon();

const balanceOf = async (u: SeededUser) => (await u.client.me()).balance;

describe('buy now', () => {
  it('sells at the buy-now price at once: the buyer is charged and the seller credited', async () => {
    const a = await seedAuction(t.seller, { buyNowPrice: 500 });
    const buyer = await seedUser(t.daemon, 1000);
    const sellerBefore = await balanceOf(t.seller);

    const { auction } = await buyer.client.buy(a.id);
    expect(auction).toMatchObject({ status: 'sold', currentPrice: 500, leaderId: buyer.id, minNextBid: null, version: 1 });
    expect(await buyer.client.me()).toMatchObject({ balance: 500, held: 0, available: 500 });
    expect(await balanceOf(t.seller)).toBe(sellerBefore + 500);
    expect(await auctionLedger(t.daemon.context.sql, a.id)).toEqual([
      { userId: buyer.id, kind: 'charge', amount: 500, deltaBalance: -500, deltaHeld: 0 },
      { userId: t.seller.id, kind: 'payout', amount: 500, deltaBalance: 500, deltaHeld: 0 },
    ]);
    const events = await auctionEvents(t.daemon.context.sql, a.id);
    expect(events.map((e) => [e.version, e.type])).toEqual([[1, 'sold']]);
    expect(events[0]!.payload).toMatchObject({ status: 'sold', buyerId: buyer.id, price: 500, previousLeaderId: null });
  });

  it("releases the leader's hold when someone else buys", async () => {
    const a = await seedAuction(t.seller, { buyNowPrice: 500 });
    const [alice, bob] = await seedUsers(t.daemon, 2, 1000);
    await alice!.client.bid(a.id, 100);
    await bob!.client.buy(a.id);

    expect(await alice!.client.me()).toMatchObject({ balance: 1000, held: 0 });
    expect(await bob!.client.me()).toMatchObject({ balance: 500, held: 0 });
    expect((await auctionLedger(t.daemon.context.sql, a.id)).map((l) => [l.userId, l.kind, l.amount])).toEqual([
      [alice!.id, 'hold', 100],
      [alice!.id, 'release', 100],
      [bob!.id, 'charge', 500],
      [t.seller.id, 'payout', 500],
    ]);
    const sold = (await auctionEvents(t.daemon.context.sql, a.id)).at(-1)!;
    expect(sold.payload).toMatchObject({ type: 'sold', previousLeaderId: alice!.id });
    expect(sold.private).toMatchObject({ outbid: { userId: alice!.id, released: 100 } });
    await expectRefused(alice!.client.bid(a.id, 600), 'AUCTION_CLOSED', { status: 'sold' });
  });

  it('lets the leader buy, counting their own hold as available', async () => {
    const a = await seedAuction(t.seller, { buyNowPrice: 500 });
    const carol = await seedUser(t.daemon, 500);
    await carol.client.bid(a.id, 100);
    const { auction } = await carol.client.buy(a.id);
    expect(auction).toMatchObject({ status: 'sold', leaderId: carol.id, currentPrice: 500 });
    expect(await carol.client.me()).toMatchObject({ balance: 0, held: 0 });
  });

  it('is unavailable on an auction without a buy-now price', async () => {
    const a = await seedAuction(t.seller);
    const buyer = await seedUser(t.daemon, 1000);
    const err = await expectRefused(buyer.client.buy(a.id), 'BUY_NOW_UNAVAILABLE', { buyNowPrice: null, currentPrice: null });
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/no buy-now price/);
  });

  it('is unavailable once bidding has reached the buy-now price', async () => {
    const a = await seedAuction(t.seller, { buyNowPrice: 500 });
    const [alice, bob] = await seedUsers(t.daemon, 2, 1000);
    await alice!.client.bid(a.id, 500);
    await expectRefused(bob!.client.buy(a.id), 'BUY_NOW_UNAVAILABLE', { buyNowPrice: 500, currentPrice: 500 });
    expect(await t.daemon.admin.auction(a.id)).toMatchObject({ status: 'open', leaderId: alice!.id });
    expect(await bob!.client.me()).toMatchObject({ balance: 1000, held: 0 });
  });

  it("refuses the seller buying their own auction, and a buyer who cannot pay", async () => {
    const a = await seedAuction(t.seller, { buyNowPrice: 500 });
    await expectRefused(t.seller.client.buy(a.id), 'SELF_BID');
    const poor = await seedUser(t.daemon, 499);
    await expectRefused(poor.client.buy(a.id), 'INSUFFICIENT_FUNDS', { available: 499 });
    expect(await t.daemon.admin.auction(a.id)).toMatchObject({ status: 'open', version: 0 });
  });

  it('refuses to buy what is sold, what has ended and what does not exist', async () => {
    const [sold, ending] = await Promise.all([
      seedAuction(t.seller, { buyNowPrice: 500 }),
      seedAuction(t.seller, { buyNowPrice: 500, durationSec: 1 }),
    ]);
    const [first, second] = await seedUsers(t.daemon, 2, 1000);
    await first!.client.buy(sold.id);
    await expectRefused(second!.client.buy(sold.id), 'AUCTION_CLOSED', { status: 'sold' });
    await waitUntilEnded(ending.endsAt);
    await expectRefused(second!.client.buy(ending.id), 'AUCTION_CLOSED', { status: 'open' });
    await expectRefused(second!.client.buy(987_654), 'NOT_FOUND', { auction: 987_654 });
    expect(await second!.client.me()).toMatchObject({ balance: 1000, held: 0 });
    await t.daemon.closer.runOnce();
  });
});

describe('buy now racing bids', () => {
  it('ends each race in exactly one consistent outcome', async () => {
    const rounds = 6;
    const buyNowPrice = 500;
    // Bids from 100 to 550: some reach the buy-now price, so either outcome can win.
    const amounts = Array.from({ length: 10 }, (_, i) => 100 + 50 * i);
    const races = await Promise.all(
      Array.from({ length: rounds }, async () => ({
        auction: await seedAuction(t.seller, { buyNowPrice, startPrice: 100, minIncrement: 10 }),
        buyer: await seedUser(t.daemon, buyNowPrice),
        bidders: await seedUsers(t.daemon, amounts.length, 1000),
      })),
    );
    const sellerBefore = await balanceOf(t.seller);

    // Every request of every round at once, each over its own connection.
    const outcomes = await Promise.all(
      races.map(async ({ auction, buyer, bidders }, round) => {
        const requests: (() => Promise<unknown>)[] = bidders.map((u, i) => () => u.clientFor(t.daemon.url).bid(auction.id, amounts[i]!));
        // The buy leaves at a different point among the bids in each round.
        requests.splice(round * 2, 0, () => buyer.clientFor(t.daemon.url).buy(auction.id));
        const settled = await Promise.allSettled(requests.map((send) => send()));
        const [buy] = settled.splice(round * 2, 1);
        return { auction, buyer, bidders, buy: buy!, bids: settled };
      }),
    );

    let soldCount = 0;
    for (const { auction, buyer, bidders, buy, bids } of outcomes) {
      const final = await t.daemon.admin.auction(auction.id);
      const ledger = await auctionLedger(t.daemon.context.sql, auction.id);
      const accepted = bids.flatMap((b) => (b.status === 'fulfilled' ? [b.value as BidResult] : []));
      const refusals = bids.flatMap((b) => (b.status === 'rejected' ? [(b.reason as NbError)] : []));
      if (buy.status === 'fulfilled') {
        soldCount++;
        // Sold: every accepted bid came before the sale and stayed below the price.
        expect(final).toMatchObject({ status: 'sold', leaderId: buyer.id, currentPrice: buyNowPrice });
        for (const r of accepted) {
          expect(r.bid!.version).toBeLessThan(final.version);
          expect(r.bid!.amount).toBeLessThan(buyNowPrice);
        }
        for (const e of refusals) {
          expect(['BID_TOO_LOW', 'AUCTION_CLOSED']).toContain(e.code);
          if (e.code === 'AUCTION_CLOSED') expect(e.details.status).toBe('sold');
        }
        expect(ledger.filter((l) => l.kind === 'charge')).toEqual([
          { userId: buyer.id, kind: 'charge', amount: buyNowPrice, deltaBalance: -buyNowPrice, deltaHeld: 0 },
        ]);
        expect(ledger.filter((l) => l.kind === 'payout').map((l) => [l.userId, l.amount])).toEqual([[t.seller.id, buyNowPrice]]);
        expect(await buyer.client.me()).toMatchObject({ balance: 0, held: 0 });
        for (const u of bidders) expect(await u.client.me()).toMatchObject({ balance: 1000, held: 0 });
      } else {
        // Not sold: a bid reached the buy-now price first and leads the open auction.
        expect((buy.reason as NbError).code).toBe('BUY_NOW_UNAVAILABLE');
        expect(final.status).toBe('open');
        expect(final.currentPrice).toBeGreaterThanOrEqual(buyNowPrice);
        expect(accepted.some((r) => r.bid!.amount >= buyNowPrice)).toBe(true);
        for (const e of refusals) expect(e.code).toBe('BID_TOO_LOW');
        expect(ledger.filter((l) => l.kind === 'charge' || l.kind === 'payout')).toEqual([]);
        expect(await buyer.client.me()).toMatchObject({ balance: buyNowPrice, held: 0 });
        for (const u of bidders) {
          expect((await u.client.me()).held).toBe(u.id === final.leaderId ? final.currentPrice : 0);
        }
      }
      expect(final.bidCount).toBe(accepted.length);
    }
    expect(await balanceOf(t.seller)).toBe(sellerBefore + soldCount * buyNowPrice);
  });
});
