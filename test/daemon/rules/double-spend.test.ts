// Lesson 1: a user with 10,000 who bids 10,000 on ten auctions at the same
// instant, over ten separate connections, wins exactly one.
import { describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { expectWinsExactlyOne, seedAuction, seedUser } from '../../helpers/seed.js';

const t = useRulesDaemon();

describe('double spending', () => {
  it('wins exactly one of ten simultaneous whole-balance bids, over ten connections', async () => {
    const bidder = await seedUser(t.daemon, 10_000);
    const auctions = await Promise.all(Array.from({ length: 10 }, () => seedAuction(t.seller)));
    await expectWinsExactlyOne(bidder, auctions, [t.daemon.url]);
    expect(await bidder.client.me()).toMatchObject({ balance: 10_000, held: 10_000, available: 0 });
  });

  it('never lets ten users overspend across ten auctions, bidding on all at once', async () => {
    const auctions = await Promise.all(Array.from({ length: 10 }, () => seedAuction(t.seller)));
    const bidders = await Promise.all(Array.from({ length: 10 }, () => seedUser(t.daemon, 10_000)));
    // 100 whole-balance bids at once; each user can lead at most one auction.
    const results = await Promise.allSettled(
      bidders.flatMap((u) => auctions.map((a) => u.clientFor(t.daemon.url).bid(a.id, 10_000))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    // Equal bids: only the first on each auction is accepted.
    expect(won).toHaveLength(10);
    for (const r of results) {
      if (r.status === 'rejected') expect(['INSUFFICIENT_FUNDS', 'BID_TOO_LOW']).toContain((r.reason as { code: string }).code);
    }
    for (const u of bidders) expect((await u.client.me()).held).toBeLessThanOrEqual(10_000);
  });
});
