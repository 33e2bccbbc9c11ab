// The soft close under a burst of bids, against a real PostgreSQL over real
// HTTP: bids milliseconds apart in separate transactions extend the auction
// once, as the reference model's bids at one instant do (docs/rules.md, Soft
// close): an end moves by a second or more, or not at all. The clock moves by
// the test's hook (endIn), never by waiting.
import { describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { endIn } from '../../helpers/maxima.js';
import { auctionEvents, seedAuction, seedUsers, type OutboxRow } from '../../helpers/seed.js';

const t = useRulesDaemon();
const sql = () => t.daemon.context.sql;

async function closing(bidders: number) {
  const users = await seedUsers(t.daemon, bidders, 10_000);
  const lot = await seedAuction(t.seller, { startPrice: 100, minIncrement: 10, durationSec: 600, softCloseSec: 60 });
  await endIn(sql(), lot.id, 30);
  return { users, lot };
}

/** The outbox as [version, type, bidder or null]. */
const shape = (events: OutboxRow[]) => events.map((e) => [e.version, e.type, e.payload.bidderId ?? null]);

describe('soft close under a burst', () => {
  it('extends once for bids a moment apart, each in its own transaction', async () => {
    const { users, lot } = await closing(4);
    // One after another, each answered before the next is sent: four transactions, milliseconds apart.
    const answers = [];
    for (const [i, u] of users.entries()) answers.push(await u.client.bid(lot.id, 100 + 10 * i));

    const events = await auctionEvents(sql(), lot.id);
    expect(shape(events)).toEqual([
      [1, 'bid', users[0]!.id],
      [2, 'extended', null],
      [3, 'bid', users[1]!.id],
      [4, 'bid', users[2]!.id],
      [5, 'bid', users[3]!.id],
    ]);
    // The end moved once, by the first bid, and every later answer and event shows that end.
    const end = events[1]!.payload.endsAt;
    expect(answers.map((a) => [a.auction.version, a.auction.endsAt])).toEqual([[2, end], [3, end], [4, end], [5, end]]);
    expect(events.filter((e) => e.type === 'bid').map((e) => e.payload.endsAt)).toEqual([end, end, end, end]);
    expect((await t.daemon.admin.auction(lot.id)).endsAt).toBe(end);
  });

  it('extends once for concurrent bids over separate connections, with gapless versions', async () => {
    const { users, lot } = await closing(6);
    const results = await Promise.allSettled(users.map((u, i) => u.clientFor(t.daemon.url).bid(lot.id, 100 + 10 * ((i * 5) % users.length))));
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('BID_TOO_LOW');
    }
    const accepted = results.filter((r) => r.status === 'fulfilled').length;
    expect(accepted).toBeGreaterThanOrEqual(1);

    const events = await auctionEvents(sql(), lot.id);
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(['bid', 'extended', ...Array<string>(accepted - 1).fill('bid')]);
    expect((await t.daemon.admin.auction(lot.id)).endsAt).toBe(events[1]!.payload.endsAt);
  });

  it('extends again once the end would move by a second or more', async () => {
    const { users, lot } = await closing(3);
    const [ann, bob, cat] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
    await ann.client.bid(lot.id, 100);
    // Half a second of the window gone: the end would move by about half a second, so it stays.
    await endIn(sql(), lot.id, 59.5);
    const stay = await bob.client.bid(lot.id, 110);
    expect(stay.auction.version).toBe(3);
    // Two seconds gone: the end moves.
    await endIn(sql(), lot.id, 58);
    const before = Date.parse((await t.daemon.admin.auction(lot.id)).endsAt);
    const moved = await cat.client.bid(lot.id, 120);

    expect(shape(await auctionEvents(sql(), lot.id))).toEqual([
      [1, 'bid', ann.id],
      [2, 'extended', null],
      [3, 'bid', bob.id],
      [4, 'bid', cat.id],
      [5, 'extended', null],
    ]);
    expect(Date.parse(moved.auction.endsAt) - before).toBeGreaterThanOrEqual(1000);
  });
});
