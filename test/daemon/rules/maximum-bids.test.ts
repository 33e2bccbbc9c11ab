// Maximum (proxy) bids against a real PostgreSQL over real HTTP, one test per
// rule and edge case of docs/rules.md ("Maximum bids"), with its numbers: Sam
// sells, start 100, increment 10; Ann, Bob and Cat have 1,000 each.
import { describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { bidRows, hiddenState } from '../../helpers/maxima.js';
import { auctionEvents, auctionLedger, expectRefused, seedAuction, seedUsers } from '../../helpers/seed.js';
import { amountsIn } from '../../helpers/amounts.js';

const t = useRulesDaemon();
const sql = () => t.daemon.context.sql;

/** A fresh market: an auction of Sam's and three bidders with 1,000 each. */
async function market(fields: Parameters<typeof seedAuction>[1] = {}) {
  const users = await seedUsers(t.daemon, 3, 1000);
  const [ann, bob, cat] = [users[0]!, users[1]!, users[2]!];
  const lot = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10, ...fields });
  return { ann, bob, cat, lot };
}

describe('maximum bids', () => {
  it('opens a first maximum at the start price, holding the whole maximum, shown only to its bidder', async () => {
    const { ann, lot } = await market();
    const r = await ann.client.bidMax(lot.id, 500);
    expect(r).toMatchObject({ leading: true, yourMax: 500, bid: { bidderId: ann.id, amount: 100, automatic: false, version: 1 } });
    expect(r.bids).toHaveLength(1);
    expect(r.auction).toMatchObject({ currentPrice: 100, leaderId: ann.id, minNextBid: 110, version: 1, reserveMet: true, hasReserve: false });
    expect(amountsIn(r.auction)).not.toContain(500);
    expect(await ann.client.me()).toMatchObject({ balance: 1000, held: 500, available: 500 });
    expect(await hiddenState(sql(), lot.id)).toMatchObject({ leaderMax: 500 });
  });

  it('answers a lower plain bid at once, one increment above it: two rows, the challenger outbid, never held', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    const r = await bob.client.bid(lot.id, 200);
    expect(r).toMatchObject({ leading: false, yourMax: null, bid: { bidderId: bob.id, amount: 200, automatic: false } });
    expect(r.bids.map((b) => [b.bidderId, b.amount, b.automatic])).toEqual([[bob.id, 200, false], [ann.id, 210, true]]);
    expect(r.auction).toMatchObject({ currentPrice: 210, leaderId: ann.id, minNextBid: 220, version: 3, bidCount: 3 });
    expect(await bidRows(sql(), lot.id)).toEqual([[ann.id, 100, false], [bob.id, 200, false], [ann.id, 210, true]]);
    expect(await ann.client.me()).toMatchObject({ held: 500 });
    expect(await bob.client.me()).toMatchObject({ held: 0, available: 1000 });

    const events = await auctionEvents(sql(), lot.id);
    expect(events.map((e) => [e.version, e.type, e.payload.amount, e.payload.automatic, e.payload.leaderId])).toEqual([
      [1, 'bid', 100, false, ann.id],
      // The row Bob 200 already names Ann as leader: her maximum answers in the same command.
      [2, 'bid', 200, false, ann.id],
      [3, 'bid', 210, true, ann.id],
    ]);
    expect(events[2]!.private).toEqual({
      maxRaised: { userId: ann.id, max: 500 },
      outbid: { userId: bob.id, released: 0, by: 'max' },
    });
    // Nobody's money moved for Bob's bid: no ledger row for it, no balance in its private part.
    expect(events[1]!.private).toBeNull();
    expect(await auctionLedger(sql(), lot.id)).toEqual([{ userId: ann.id, kind: 'hold', amount: 500, deltaBalance: 0, deltaHeld: 500 }]);
  });

  it('answers a lower maximum the same way: it is used up at its full amount', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    const r = await bob.client.bidMax(lot.id, 300);
    expect(r.leading).toBe(false);
    expect(await bidRows(sql(), lot.id)).toEqual([[ann.id, 100, false], [bob.id, 300, false], [ann.id, 310, true]]);
  });

  it('never answers above the maximum, and says when it is used up', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    await bob.client.bid(lot.id, 495);
    expect(await bidRows(sql(), lot.id)).toEqual([[ann.id, 100, false], [bob.id, 495, false], [ann.id, 500, true]]);
    const last = (await auctionEvents(sql(), lot.id)).at(-1)!;
    expect(last.private).toEqual({
      maxRaised: { userId: ann.id, max: 500 },
      maxExhausted: { userId: ann.id, max: 500 },
      outbid: { userId: bob.id, released: 0, by: 'max' },
    });
  });

  it('gives a tie to the earlier maximum, by a plain bid or a maximum, and after the leader raised it', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 300);
    await ann.client.bidMax(lot.id, 500);
    const r = await bob.client.bidMax(lot.id, 500);
    expect(r).toMatchObject({ leading: false, yourMax: null });
    expect(r.auction).toMatchObject({ currentPrice: 500, leaderId: ann.id });
    expect(await bidRows(sql(), lot.id)).toEqual([[ann.id, 100, false], [bob.id, 500, false], [ann.id, 500, true]]);

    const other = await market();
    await other.ann.client.bidMax(other.lot.id, 500);
    await other.bob.client.bid(other.lot.id, 500);
    expect(await bidRows(sql(), other.lot.id)).toEqual([[other.ann.id, 100, false], [other.bob.id, 500, false], [other.ann.id, 500, true]]);
    expect((await t.daemon.admin.auction(other.lot.id)).leaderId).toBe(other.ann.id);
  });

  it('lets a higher maximum lead at one increment over the old maximum, which shows in the history at its full amount', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    const r = await bob.client.bidMax(lot.id, 800);
    expect(r).toMatchObject({ leading: true, yourMax: 800, bid: { bidderId: bob.id, amount: 510 } });
    expect(r.bids.map((b) => [b.bidderId, b.amount, b.automatic])).toEqual([[ann.id, 500, true], [bob.id, 510, false]]);
    expect(await ann.client.me()).toMatchObject({ held: 0 });
    expect(await bob.client.me()).toMatchObject({ held: 800 });
    const events = await auctionEvents(sql(), lot.id);
    expect(events.slice(1).map((e) => e.private)).toEqual([
      { maxExhausted: { userId: ann.id, max: 500 } },
      {
        outbid: { userId: ann.id, released: 500, by: 'max' },
        balances: [
          { userId: ann.id, balance: 1000, held: 0 },
          { userId: bob.id, balance: 1000, held: 800 },
        ],
      },
    ]);
  });

  it('is outbid by less than an increment: the new maximum leads at all it has', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    await bob.client.bidMax(lot.id, 505);
    expect(await bidRows(sql(), lot.id)).toEqual([[ann.id, 100, false], [ann.id, 500, true], [bob.id, 505, false]]);

    const plain = await market();
    await plain.ann.client.bidMax(plain.lot.id, 500);
    await plain.bob.client.bid(plain.lot.id, 503);
    expect(await bidRows(sql(), plain.lot.id)).toEqual([[plain.ann.id, 100, false], [plain.ann.id, 500, true], [plain.bob.id, 503, false]]);
  });

  it('makes no extra row for a maximum already fully shown', async () => {
    const { ann, bob, cat, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    await bob.client.bid(lot.id, 495);
    await cat.client.bidMax(lot.id, 700);
    expect((await bidRows(sql(), lot.id)).slice(3)).toEqual([[cat.id, 510, false]]);
  });

  it('lets a leader raise their own maximum without a row, an event, a version or a price change', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 300);
    const r = await ann.client.bidMax(lot.id, 600);
    expect(r).toMatchObject({ bid: null, bids: [], leading: true, yourMax: 600 });
    expect(r.auction).toMatchObject({ currentPrice: 100, version: 1, bidCount: 1 });
    expect(await auctionEvents(sql(), lot.id)).toHaveLength(1);
    expect(await ann.client.me()).toMatchObject({ held: 600, available: 400 });
    expect((await auctionLedger(sql(), lot.id)).at(-1)).toEqual({ userId: ann.id, kind: 'hold', amount: 300, deltaBalance: 0, deltaHeld: 300 });

    await bob.client.bid(lot.id, 550);
    expect((await bidRows(sql(), lot.id)).slice(1)).toEqual([[bob.id, 550, false], [ann.id, 560, true]]);
  });

  it('never lowers a maximum: a leader’s new maximum must pass their own and the minimum', async () => {
    const { ann, lot } = await market();
    await ann.client.bidMax(lot.id, 600);
    const same = await expectRefused(ann.client.bidMax(lot.id, 600), 'BID_TOO_LOW', { minimum: 601, yourMax: 600 });
    expect(same.message).toBe('Your maximum is already 600; a new maximum must be at least 601.');
    await expectRefused(ann.client.bidMax(lot.id, 300), 'BID_TOO_LOW', { minimum: 601, yourMax: 600 });

    const plain = await market();
    await plain.ann.client.bid(plain.lot.id, 200);
    await expectRefused(plain.ann.client.bidMax(plain.lot.id, 205), 'BID_TOO_LOW', { minimum: 210, yourMax: 200 });
  });

  it('counts the leader’s own hold when they raise: with 1,000 they may raise to 1,000, not past it', async () => {
    const { ann, lot } = await market();
    await ann.client.bidMax(lot.id, 600);
    await expectRefused(ann.client.bidMax(lot.id, 1001), 'INSUFFICIENT_FUNDS', { available: 1000 });
    expect((await ann.client.bidMax(lot.id, 1000)).yourMax).toBe(1000);
  });

  it('needs funds for the whole maximum, before anything about the leader is known', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 900);
    await expectRefused(bob.client.bidMax(lot.id, 1001), 'INSUFFICIENT_FUNDS', { available: 1000 });
    // Below Ann's hidden maximum or above it, the refusal is the same.
    await expectRefused(bob.client.bid(lot.id, 1500), 'INSUFFICIENT_FUNDS', { available: 1000 });
  });

  it('lets the leader bid plainly over their maximum: the price moves, the maximum keeps working', async () => {
    const { ann, bob, lot } = await market();
    await ann.client.bidMax(lot.id, 500);
    const r = await ann.client.bid(lot.id, 200);
    expect(r).toMatchObject({ leading: true, yourMax: 500, bid: { amount: 200 } });
    expect(await ann.client.me()).toMatchObject({ held: 500 });
    await bob.client.bid(lot.id, 300);
    expect((await bidRows(sql(), lot.id)).slice(2)).toEqual([[bob.id, 300, false], [ann.id, 310, true]]);
    // Above her maximum, a plain bid becomes her maximum and her hold.
    expect(await ann.client.bid(lot.id, 700)).toMatchObject({ yourMax: 700 });
    expect(await ann.client.me()).toMatchObject({ held: 700 });
  });

  it('follows an increment table: the step at the price, for minNextBid and for the proxy', async () => {
    const { ann, bob, lot } = await market({ minIncrement: undefined, increments: [{ from: 0, step: 10 }, { from: 1000, step: 50 }] });
    expect(lot).toMatchObject({ minIncrement: null, increments: [{ from: 0, step: 10 }, { from: 1000, step: 50 }] });
    await t.daemon.admin.deposit(ann.id, 5000);
    await t.daemon.admin.deposit(bob.id, 5000);
    await ann.client.bidMax(lot.id, 3000);
    await bob.client.bid(lot.id, 990);
    let a = await t.daemon.admin.auction(lot.id);
    expect(a).toMatchObject({ currentPrice: 1000, minNextBid: 1050 });
    await expectRefused(bob.client.bid(lot.id, 1049), 'BID_TOO_LOW', { minimum: 1050 });
    await bob.client.bid(lot.id, 1200);
    a = await t.daemon.admin.auction(lot.id);
    expect(a).toMatchObject({ currentPrice: 1250, leaderId: ann.id, minNextBid: 1300 });
  });

  it('takes "standard" increments and refuses a table that is not one', async () => {
    const [sam] = [t.seller];
    const a = await seedAuction(sam, { minIncrement: undefined, increments: 'standard', startPrice: 90 });
    expect(a.increments[0]).toEqual({ from: 0, step: 5 });
    expect(a.minNextBid).toBe(90);
    await expectRefused(seedAuction(sam, { minIncrement: undefined, increments: [{ from: 10, step: 5 }] }), 'INVALID_INPUT');
    await expectRefused(seedAuction(sam, { minIncrement: 5, increments: 'standard' }), 'INVALID_INPUT');
    await expectRefused(seedAuction(sam, { minIncrement: undefined }), 'INVALID_INPUT');
  });

  it('takes exactly one of amount and max', async () => {
    const { ann, lot } = await market();
    const res = await ann.client.request('POST', `/v1/auctions/${lot.id}/bids`, { amount: 100, max: 200 }).catch((e: unknown) => e);
    expect(res).toMatchObject({ code: 'INVALID_INPUT' });
    const none = await ann.client.request('POST', `/v1/auctions/${lot.id}/bids`, {}).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('tells each bidder privately, through their inbox: maximum raised and used up, outbid by a maximum, a raise in order', async () => {
    const { ann, bob, cat, lot } = await market();
    const mine = (u: typeof ann, after: number) => u.client.inbox(after).then((p) => p.events.map(({ seq: _s, at: _a, ...e }) => e));
    const last = async (u: typeof ann) => (await u.client.inbox()).last;
    const [annBefore, bobBefore, catBefore] = [await last(ann), await last(bob), await last(cat)];
    await ann.client.bidMax(lot.id, 300);
    await ann.client.bidMax(lot.id, 500); // no row: the hold grows, a balance event says so
    await bob.client.bid(lot.id, 495); // rows Bob 495, Ann 500 (automatic): her maximum answers and is used up
    await cat.client.bidMax(lot.id, 700); // one row, Cat 510: Ann outbid by a maximum, her 500 released
    const v = { auction: lot.id };
    expect(await mine(ann, annBefore)).toEqual([
      { type: 'balance', userId: ann.id, balance: 1000, held: 300, available: 700 },
      { type: 'balance', userId: ann.id, balance: 1000, held: 500, available: 500 },
      { type: 'maxRaised', ...v, version: 3, price: 500, max: 500 },
      { type: 'maxExhausted', ...v, version: 3, max: 500 },
      { type: 'outbid', ...v, version: 4, by: 'max', price: 510, leaderId: cat.id, released: 500 },
      { type: 'balance', userId: ann.id, balance: 1000, held: 0, available: 1000 },
    ]);
    // Bob's bid never led: outbid at once, nothing released, no balance event.
    expect(await mine(bob, bobBefore)).toEqual([{ type: 'outbid', ...v, version: 3, by: 'max', price: 500, leaderId: ann.id, released: 0 }]);
    expect(amountsIn(await mine(bob, bobBefore))).not.toContain(700);
    expect(await mine(cat, catBefore)).toEqual([{ type: 'balance', userId: cat.id, balance: 1000, held: 700, available: 300 }]);
    // The admin cancels: the leader is told, with no price and no leader.
    await t.daemon.admin.cancel(lot.id);
    expect((await mine(cat, catBefore)).slice(1)).toEqual([
      { type: 'outbid', ...v, version: 5, by: 'cancel', price: null, leaderId: null, released: 700 },
      { type: 'balance', userId: cat.id, balance: 1000, held: 0, available: 1000 },
    ]);
  });

  it('lists my bids: my own maximum where I lead, my highest bid where I do not', async () => {
    const { ann, bob, lot } = await market();
    const other = await seedAuction(t.seller);
    await ann.client.bidMax(lot.id, 500);
    await bob.client.bid(lot.id, 200);
    await bob.client.bid(other.id, 150);
    expect(await ann.client.myBids()).toEqual({
      bids: [expect.objectContaining({ auctionId: lot.id, currentPrice: 210, leading: true, yourMax: 500, status: 'open' })],
    });
    const bobs = await bob.client.myBids();
    expect(bobs.bids.map((b) => [b.auctionId, b.leading, b.yourMax, b.currentPrice])).toEqual([
      [other.id, true, 150, 150],
      [lot.id, false, 200, 210],
    ]);
    expect(amountsIn(bobs)).not.toContain(500);
    expect((await bob.client.myBids({ status: 'open', limit: 1 })).bids).toHaveLength(1);
  });
});
