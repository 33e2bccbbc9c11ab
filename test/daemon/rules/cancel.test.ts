// Cancelling: the seller while nobody has bid, the admin at any time while
// open (releasing the leader's hold); never after the end.
import { beforeAll, describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import {
  ENDS_SOON,
  auctionEvents,
  auctionLedger,
  expectRefused,
  seedAuction,
  seedUser,
  waitUntilEnded,
  type SeededUser,
} from '../../helpers/seed.js';

const t = useRulesDaemon();
let bidder: SeededUser;

beforeAll(async () => {
  bidder = await seedUser(t.daemon, 10_000);
});

describe('cancel', () => {
  it('lets the seller cancel an open auction without bids', async () => {
    const a = await seedAuction(t.seller);
    const { auction } = await t.seller.client.cancel(a.id);
    expect(auction).toMatchObject({ id: a.id, status: 'cancelled', version: 1, minNextBid: null });
    const events = await auctionEvents(t.daemon.context.sql, a.id);
    expect(events.map((e) => [e.version, e.type])).toEqual([[1, 'cancelled']]);
    expect(events[0]!.payload).toMatchObject({ status: 'cancelled', previousLeaderId: null });
    await expectRefused(bidder.client.bid(a.id, 100), 'AUCTION_CLOSED', { status: 'cancelled' });
    expect((await t.daemon.admin.listAuctions({ status: 'cancelled' })).auctions.map((x) => x.id)).toContain(a.id);
  });

  it('refuses the seller once the auction has bids', async () => {
    const a = await seedAuction(t.seller);
    await bidder.client.bid(a.id, 100);
    const err = await expectRefused(t.seller.client.cancel(a.id), 'CANNOT_CANCEL', { bidCount: 1 });
    expect(err.status).toBe(409);
    expect(await t.daemon.admin.auction(a.id)).toMatchObject({ status: 'open', leaderId: bidder.id });
    await bidder.client.bid(a.id, 110); // still open for bids
  });

  it('refuses anyone but the seller and the admin', async () => {
    const a = await seedAuction(t.seller);
    const err = await expectRefused(bidder.client.cancel(a.id), 'FORBIDDEN');
    expect(err.status).toBe(403);
    await expectRefused(t.daemon.client().cancel(a.id), 'UNAUTHORIZED');
    expect((await t.daemon.admin.auction(a.id)).status).toBe('open');
  });

  it("lets the admin cancel an auction with bids, releasing the leader's hold", async () => {
    const a = await seedAuction(t.seller);
    await bidder.client.bid(a.id, 300);
    const before = await bidder.client.me();
    const { auction } = await t.daemon.admin.cancel(a.id);
    expect(auction).toMatchObject({ status: 'cancelled', version: 2 });
    expect(await bidder.client.me()).toMatchObject({ balance: before.balance, held: before.held - 300 });
    expect((await auctionLedger(t.daemon.context.sql, a.id)).map((l) => [l.userId, l.kind, l.amount])).toEqual([
      [bidder.id, 'hold', 300],
      [bidder.id, 'release', 300],
    ]);
    const cancelled = (await auctionEvents(t.daemon.context.sql, a.id)).at(-1)!;
    expect(cancelled.payload).toMatchObject({ type: 'cancelled', previousLeaderId: bidder.id });
    expect(cancelled.private).toMatchObject({ outbid: { userId: bidder.id, released: 300 } });
  });

  it('refuses to cancel twice, after the end, or what does not exist', async () => {
    const [a, ending] = await Promise.all([seedAuction(t.seller), seedAuction(t.seller, { durationSec: ENDS_SOON })]);
    await t.seller.client.cancel(a.id);
    await expectRefused(t.seller.client.cancel(a.id), 'AUCTION_CLOSED', { status: 'cancelled' });
    await expectRefused(t.daemon.admin.cancel(a.id), 'AUCTION_CLOSED', { status: 'cancelled' });

    // Past its end an auction belongs to the closer: its winner has won.
    await bidder.client.bid(ending.id, 100);
    await waitUntilEnded(ending.endsAt);
    await expectRefused(t.daemon.admin.cancel(ending.id), 'AUCTION_CLOSED', { status: 'open' });
    await t.daemon.closer.runOnce();
    expect(await t.daemon.admin.auction(ending.id)).toMatchObject({ status: 'closed', leaderId: bidder.id });
    await expectRefused(t.daemon.admin.cancel(ending.id), 'AUCTION_CLOSED', { status: 'closed' });

    await expectRefused(t.daemon.admin.cancel(987_654), 'NOT_FOUND', { auction: 987_654 });
  });
});
