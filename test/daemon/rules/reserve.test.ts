// The hidden reserve, buy now that goes away, the soft close counting
// automatic bids, and settlement with maxima, against a real PostgreSQL over
// real HTTP, with the numbers of docs/rules.md. Auctions end by the test's
// clock hook (endIn) and closer.runOnce(), never by waiting.
import { describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { bidRows, endIn } from '../../helpers/maxima.js';
import { auctionEvents, auctionLedger, expectRefused, seedAuction, seedUsers } from '../../helpers/seed.js';
import { amountsIn } from '../../helpers/amounts.js';

const t = useRulesDaemon();
const sql = () => t.daemon.context.sql;

async function market(fields: Parameters<typeof seedAuction>[1] = {}) {
  const users = await seedUsers(t.daemon, 3, 1000);
  const lot = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10, ...fields });
  return { ann: users[0]!, bob: users[1]!, cat: users[2]!, lot };
}

/** Ends an auction now and runs the closer once. */
async function settle(auctionId: number): Promise<void> {
  await endIn(sql(), auctionId, 0);
  expect(await t.daemon.closer.runOnce()).toBeGreaterThanOrEqual(1);
}

describe('reserve', () => {
  it('is hidden: the auction shows only hasReserve and reserveMet', async () => {
    const { ann, lot } = await market({ reservePrice: 500 });
    expect(lot).toMatchObject({ hasReserve: true, reserveMet: false });
    expect(amountsIn(lot)).not.toContain(500);
    const r = await ann.client.bidMax(lot.id, 300);
    expect(r.auction).toMatchObject({ currentPrice: 100, reserveMet: false });
    expect(amountsIn(await t.daemon.admin.auction(lot.id))).not.toContain(500);
  });

  it('jumps the price to the reserve when a maximum reaches it', async () => {
    const { ann, lot } = await market({ reservePrice: 500 });
    const r = await ann.client.bidMax(lot.id, 800);
    expect(r.auction).toMatchObject({ currentPrice: 500, reserveMet: true, minNextBid: 510 });
    expect(await ann.client.me()).toMatchObject({ held: 800 });
    const exact = await market({ reservePrice: 500 });
    expect((await exact.ann.client.bidMax(exact.lot.id, 500)).auction).toMatchObject({ currentPrice: 500, reserveMet: true });
  });

  it('jumps to the reserve, or as far as the competition requires if higher', async () => {
    const low = await market({ reservePrice: 500 });
    await low.ann.client.bidMax(low.lot.id, 300);
    await low.bob.client.bidMax(low.lot.id, 800);
    expect(await bidRows(sql(), low.lot.id)).toEqual([[low.ann.id, 100, false], [low.ann.id, 300, true], [low.bob.id, 500, false]]);

    const high = await market({ reservePrice: 500 });
    await high.ann.client.bidMax(high.lot.id, 495);
    await high.bob.client.bidMax(high.lot.id, 800);
    expect((await bidRows(sql(), high.lot.id)).slice(1)).toEqual([[high.ann.id, 495, true], [high.bob.id, 505, false]]);
  });

  it('never jumps for a plain bid', async () => {
    const { ann, bob, lot } = await market({ reservePrice: 500 });
    expect((await ann.client.bid(lot.id, 200)).auction).toMatchObject({ currentPrice: 200, reserveMet: false });
    expect((await bob.client.bid(lot.id, 500)).auction).toMatchObject({ currentPrice: 500, reserveMet: true });
  });

  it('moves the price when the leader raises their maximum past it: a real bid with its version', async () => {
    const { ann, lot } = await market({ reservePrice: 500 });
    await ann.client.bidMax(lot.id, 300);
    const r = await ann.client.bidMax(lot.id, 700);
    expect(r).toMatchObject({ bid: { bidderId: ann.id, amount: 500, automatic: false, version: 2 }, yourMax: 700 });
    expect(r.auction).toMatchObject({ currentPrice: 500, reserveMet: true, version: 2 });
    expect(await ann.client.me()).toMatchObject({ held: 700 });
  });

  it('ends unsold below the reserve: reason reserve_not_met, every hold released, nobody pays', async () => {
    const { ann, bob, lot } = await market({ reservePrice: 500 });
    await ann.client.bidMax(lot.id, 450);
    await bob.client.bid(lot.id, 300);
    const sellerBefore = (await t.seller.client.me()).balance;
    await settle(lot.id);
    expect(await t.daemon.admin.auction(lot.id)).toMatchObject({
      status: 'unsold', unsoldReason: 'reserve_not_met', currentPrice: 310, minNextBid: null, buyNowAvailable: false,
    });
    expect(await ann.client.me()).toMatchObject({ balance: 1000, held: 0 });
    expect((await t.seller.client.me()).balance).toBe(sellerBefore);
    const closed = (await auctionEvents(sql(), lot.id)).at(-1)!;
    expect(closed.payload).toMatchObject({ type: 'closed', status: 'unsold', winnerId: null, price: null, reason: 'reserve_not_met' });
    expect(closed.private).toEqual({ balances: [{ userId: ann.id, balance: 1000, held: 0 }] });
    // The seller hears why: below the reserve.
    const told = (await t.seller.client.inbox()).events.filter((e) => e.type === 'unsold' && e.auction === lot.id);
    expect(told).toMatchObject([{ type: 'unsold', reason: 'reserve_not_met' }]);
    expect((await auctionLedger(sql(), lot.id)).at(-1)).toEqual({ userId: ann.id, kind: 'release', amount: 450, deltaBalance: 0, deltaHeld: -450 });
  });

  it('sells at the price, not the maximum, once met', async () => {
    const { ann, lot } = await market({ reservePrice: 500 });
    await ann.client.bidMax(lot.id, 800);
    const sellerBefore = (await t.seller.client.me()).balance;
    await settle(lot.id);
    expect(await t.daemon.admin.auction(lot.id)).toMatchObject({ status: 'closed', currentPrice: 500, unsoldReason: null });
    expect(await ann.client.me()).toMatchObject({ balance: 500, held: 0 });
    expect((await t.seller.client.me()).balance).toBe(sellerBefore + 500);
  });

  it('refuses a reserve below the start price, and a buy-now price below the reserve', async () => {
    await expectRefused(seedAuction(t.seller, { startPrice: 100, reservePrice: 99 }), 'INVALID_INPUT');
    await expectRefused(seedAuction(t.seller, { startPrice: 100, reservePrice: 500, buyNowPrice: 400 }), 'INVALID_INPUT');
  });
});

describe('settling a maximum', () => {
  it('charges the winner the price and releases the rest of the maximum', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 800);
    await bob.client.bid(lot.id, 300);
    const sellerBefore = (await t.seller.client.me()).balance;
    await settle(lot.id);
    expect(await ann.client.me()).toMatchObject({ balance: 690, held: 0 });
    expect((await t.seller.client.me()).balance).toBe(sellerBefore + 310);
    expect((await auctionLedger(sql(), lot.id)).slice(-3)).toEqual([
      { userId: ann.id, kind: 'release', amount: 490, deltaBalance: 0, deltaHeld: -490 },
      { userId: ann.id, kind: 'charge', amount: 310, deltaBalance: -310, deltaHeld: -310 },
      { userId: t.seller.id, kind: 'payout', amount: 310, deltaBalance: 310, deltaHeld: 0 },
    ]);
    expect((await auctionEvents(sql(), lot.id)).at(-1)!.payload).toMatchObject({ status: 'closed', winnerId: ann.id, price: 310, reason: null });
  });

  it('ends unsold without bids with reason no_bids', async () => {
    const { lot } = await market();
    await settle(lot.id);
    expect(await t.daemon.admin.auction(lot.id)).toMatchObject({ status: 'unsold', unsoldReason: 'no_bids' });
  });

  it('releases the maximum when an admin cancels, telling the leader', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    await bob.client.bid(lot.id, 200);
    await t.daemon.admin.cancel(lot.id);
    expect(await ann.client.me()).toMatchObject({ held: 0 });
    expect((await auctionEvents(sql(), lot.id)).at(-1)!.private).toMatchObject({ outbid: { userId: ann.id, released: 500, by: 'cancel' } });
  });
});

describe('buy now until', () => {
  const gone = (reason: string, buyNowUntil: string, currentPrice: number | null) =>
    ({ reason, buyNowUntil, buyNowPrice: 600, currentPrice });

  it('"price": a hidden maximum above the buy-now price does not take it away; a bid reaching it does', async () => {
    const { ann, bob, lot } = await market({ buyNowPrice: 600 });
    expect(lot).toMatchObject({ buyNowUntil: 'price', buyNowAvailable: true });
    await ann.client.bidMax(lot.id, 900);
    await bob.client.bid(lot.id, 580);
    expect(await t.daemon.admin.auction(lot.id)).toMatchObject({ currentPrice: 590, leaderId: ann.id, buyNowAvailable: true });
    const { auction } = await bob.client.buy(lot.id);
    expect(auction).toMatchObject({ status: 'sold', currentPrice: 600, leaderId: bob.id });
    expect(await ann.client.me()).toMatchObject({ held: 0, balance: 1000 });
    expect((await auctionEvents(sql(), lot.id)).at(-1)!.private).toMatchObject({ outbid: { userId: ann.id, released: 900, by: 'buyNow' } });

    const reached = await market({ buyNowPrice: 600 });
    await reached.ann.client.bid(reached.lot.id, 600);
    const err = await expectRefused(reached.cat.client.buy(reached.lot.id), 'BUY_NOW_UNAVAILABLE', gone('price_reached', 'price', 600));
    expect(err.message).toBe('Bidding has reached the buy-now price; buy now is no longer available.');
  });

  it('"firstBid": gone at the first bid, even a maximum opening at the start price', async () => {
    const { ann, bob, lot } = await market({ buyNowPrice: 600, buyNowUntil: 'firstBid' });
    await ann.client.bidMax(lot.id, 200);
    expect(await t.daemon.admin.auction(lot.id)).toMatchObject({ buyNowAvailable: false });
    const err = await expectRefused(bob.client.buy(lot.id), 'BUY_NOW_UNAVAILABLE', gone('first_bid', 'firstBid', 100));
    expect(err.message).toMatch(/first bid/);
    const before = await market({ buyNowPrice: 600, buyNowUntil: 'firstBid' });
    expect((await before.bob.client.buy(before.lot.id)).auction.status).toBe('sold');
  });

  it('"reserveMet": offered while the reserve is not met, gone once it is', async () => {
    const { ann, bob, cat, lot } = await market({ buyNowPrice: 600, buyNowUntil: 'reserveMet', reservePrice: 400 });
    await ann.client.bidMax(lot.id, 300);
    await bob.client.bid(lot.id, 250);
    expect(await t.daemon.admin.auction(lot.id)).toMatchObject({ currentPrice: 260, reserveMet: false, buyNowAvailable: true });
    await bob.client.bidMax(lot.id, 450);
    expect((await bidRows(sql(), lot.id)).slice(-2)).toEqual([[ann.id, 300, true], [bob.id, 400, false]]);
    const err = await expectRefused(cat.client.buy(lot.id), 'BUY_NOW_UNAVAILABLE', gone('reserve_met', 'reserveMet', 400));
    expect(err.message).toMatch(/reserve/);

    const open = await market({ buyNowPrice: 600, buyNowUntil: 'reserveMet', reservePrice: 400 });
    await open.ann.client.bidMax(open.lot.id, 300);
    expect((await open.ann.client.buy(open.lot.id)).auction).toMatchObject({ status: 'sold', leaderId: open.ann.id });
    // The buyer's own hold counted and was released: 1,000 − 600.
    expect(await open.ann.client.me()).toMatchObject({ balance: 400, held: 0 });
  });

  it('"reserveMet" without a reserve: offered until the first bid', async () => {
    const { ann, bob, lot } = await market({ buyNowPrice: 600, buyNowUntil: 'reserveMet' });
    await ann.client.bid(lot.id, 100);
    await expectRefused(bob.client.buy(lot.id), 'BUY_NOW_UNAVAILABLE', gone('reserve_met', 'reserveMet', 100));
  });

  it('says no_buy_now when there is none', async () => {
    const { ann, lot } = await market();
    const err = await expectRefused(ann.client.buy(lot.id), 'BUY_NOW_UNAVAILABLE', { reason: 'no_buy_now', buyNowPrice: null });
    expect(err.message).toBe('This auction has no buy-now price.');
  });
});

describe('soft close', () => {
  it('is extended by an automatic bid, and the extension names that bid', async () => {
    const { ann, bob, lot } = await market({ softCloseSec: 60 });
    await ann.client.bidMax(lot.id, 500);
    await endIn(sql(), lot.id, 10);
    await bob.client.bid(lot.id, 600);
    const events = (await auctionEvents(sql(), lot.id)).slice(1);
    expect(events.map((e) => [e.version, e.type, e.payload.automatic ?? null])).toEqual([
      [2, 'bid', true],
      [3, 'extended', null],
      [4, 'bid', false],
    ]);
    expect(events[1]!.payload.bidId).toBe(events[0]!.payload.bidId);
    // One command extends once: the later row found the whole window.
    expect(Date.parse(events[1]!.payload.endsAt as string) - Date.parse(events[0]!.payload.at as string)).toBeGreaterThan(59_000);
  });

  it('is extended when a maximum answers a bid near the end', async () => {
    const { ann, bob, lot } = await market({ softCloseSec: 60 });
    await ann.client.bidMax(lot.id, 500);
    await endIn(sql(), lot.id, 1);
    await bob.client.bid(lot.id, 200);
    const events = (await auctionEvents(sql(), lot.id)).slice(1);
    expect(events.map((e) => [e.version, e.type, e.payload.amount ?? null])).toEqual([
      [2, 'bid', 200],
      [3, 'extended', null],
      [4, 'bid', 210],
    ]);
  });

  it('is not extended by a leader raising their own maximum', async () => {
    const { ann, lot } = await market({ softCloseSec: 60 });
    await ann.client.bidMax(lot.id, 300);
    await endIn(sql(), lot.id, 5);
    const before = await t.daemon.admin.auction(lot.id);
    const r = await ann.client.bidMax(lot.id, 600);
    expect(r.auction).toMatchObject({ endsAt: before.endsAt, version: before.version });
    expect(await auctionEvents(sql(), lot.id)).toHaveLength(1);
  });

  it('is extended by a raise past the reserve, which is a real bid', async () => {
    const { ann, lot } = await market({ softCloseSec: 60, reservePrice: 500 });
    await ann.client.bidMax(lot.id, 300);
    await endIn(sql(), lot.id, 5);
    await ann.client.bidMax(lot.id, 700);
    expect((await auctionEvents(sql(), lot.id)).slice(1).map((e) => [e.type, e.payload.amount ?? null])).toEqual([
      ['bid', 500],
      ['extended', null],
    ]);
  });
});
