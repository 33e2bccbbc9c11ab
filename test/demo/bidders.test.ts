import { describe, expect, it } from 'vitest';
import { startBidders } from '../../src/demo/bidders.js';
import { catalogue } from '../../src/demo/catalogue.js';
import { createAuctionBody } from '../../src/protocol/schemas.js';
import { useDaemon } from '../helpers/fixture.js';

const file = useDaemon();

describe('demo catalogue', () => {
  it('has 20 valid auctions ending one after another, some with buy now and some with a soft close', () => {
    const items = catalogue({ firstEndSec: 60, spacingSec: 20 });
    expect(items).toHaveLength(20);
    for (const body of items) expect(createAuctionBody.safeParse(body).success).toBe(true);
    const ends = items.map((b) => b.durationSec!);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    expect(new Set(ends).size).toBe(20);
    expect(items.filter((b) => b.buyNowPrice !== undefined).length).toBeGreaterThan(3);
    expect(items.filter((b) => b.softCloseSec !== undefined).length).toBeGreaterThan(3);
  });

  it('has auctions with a reserve and the standard increment table, and buy now until the first bid', () => {
    const items = catalogue();
    const reserved = items.filter((b) => b.reservePrice !== undefined);
    expect(reserved.length).toBeGreaterThan(3);
    for (const b of reserved) expect(b).toMatchObject({ increments: 'standard', reservePrice: b.startPrice * 2 });
    expect(items.filter((b) => b.minIncrement !== undefined).length).toBeGreaterThan(10);
    const untilFirstBid = items.filter((b) => b.buyNowUntil === 'firstBid');
    expect(untilFirstBid.length).toBeGreaterThan(1);
    for (const b of untilFirstBid) expect(b.buyNowPrice).toBeGreaterThan(0);
  });
});

describe('simulated bidders', () => {
  it('bid over HTTP, outbid the person, and stop by themselves once nothing is open', async () => {
    const { daemon } = file;
    const seller = await daemon.admin.createUser('seller');
    const person = await daemon.admin.createUser('person', 100_000);
    const bidders = await Promise.all(['ada', 'bo'].map((n) => daemon.admin.createUser(n, 100_000)));
    const sellerClient = daemon.client(seller.token);
    const auctions = await Promise.all(
      [3, 4].map((s, i) => sellerClient.createAuction({ title: `lot ${i}`, startPrice: 100, minIncrement: 10, durationSec: s })),
    );
    await daemon.client(person.token).bid(auctions[0]!.id, 100);
    const started = Date.now();
    const handle = startBidders({
      url: daemon.url,
      bidders: bidders.map((b) => ({ id: b.id, token: b.token })),
      personId: person.id,
      stopAt: Date.now() + 60_000,
      pauseMs: [20, 60],
    });
    await handle.done;
    // They stopped because the auctions closed, long before stopAt.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(handle.placed()).toBeGreaterThan(0);
    const first = await daemon.admin.auction(auctions[0]!.id);
    expect(first.leaderId).not.toBe(person.id);
    expect(first.recentBids.some((b) => bidders.some((u) => u.id === b.bidderId))).toBe(true);
    const report = await daemon.admin.audit();
    expect(report.ok).toBe(true);
  });

  it('some bid plain and some set a maximum that answers the others by itself', async () => {
    const { daemon } = file;
    const seller = await daemon.admin.createUser('seller');
    const [plain, maxer] = await Promise.all(['plain', 'maxer'].map((n) => daemon.admin.createUser(n, 100_000)));
    const lot = await daemon.client(seller.token).createAuction({ title: 'max lot', startPrice: 100, increments: 'standard', reservePrice: 200, durationSec: 4 });
    // A fixed "random" makes each bidder value the lot at 350 and bid the minimum: the plain one
    // (first) bids, the maximum (second) answers every one of its bids until the plain one's limit.
    const handle = startBidders({
      url: daemon.url,
      bidders: [plain!, maxer!].map((b) => ({ id: b.id, token: b.token })),
      personId: 0,
      stopAt: Date.now() + 60_000,
      pauseMs: [20, 60],
      random: () => 0.5,
    });
    await handle.done;
    const ended = await daemon.admin.auction(lot.id);
    expect(ended).toMatchObject({ status: 'closed', leaderId: maxer!.id, reserveMet: true });
    expect(ended.recentBids.some((b) => b.automatic && b.bidderId === maxer!.id)).toBe(true);
    expect(ended.recentBids.some((b) => !b.automatic && b.bidderId === plain!.id)).toBe(true);
    expect((await daemon.client(maxer!.token).myBids({ status: 'all' })).bids).toEqual([
      expect.objectContaining({ auctionId: lot.id, leading: true, yourMax: 350 }),
    ]);
    expect((await daemon.admin.audit()).ok).toBe(true);
  });

  it('stop() ends them at once', async () => {
    const { daemon } = file;
    const seller = await daemon.admin.createUser('seller');
    const bidder = await daemon.admin.createUser('cy', 100_000);
    await daemon.client(seller.token).createAuction({ title: 'long lot', startPrice: 100, minIncrement: 10, durationSec: 600 });
    const handle = startBidders({
      url: daemon.url,
      bidders: [{ id: bidder.id, token: bidder.token }],
      personId: 0,
      stopAt: Date.now() + 600_000,
      pauseMs: [5_000, 10_000],
    });
    const t = Date.now();
    await handle.stop();
    expect(Date.now() - t).toBeLessThan(2_000);
  });
});
