// The inbox on a real database: every private event stored in the transaction
// that made it, numbered 1, 2, 3… per user with no gap even under concurrent
// bids and deposits, read back through GET /v1/me/events; the events of an
// ending (won, lost, sale, unsold); and what retention leaves, said plainly.
import { describe, expect, it } from 'vitest';
import { pruneInbox } from '../../../src/daemon/rules/inbox.js';
import type { RuleResult } from '../../../src/daemon/rules/outcome.js';
import { RULES_VERSION } from '../../../src/daemon/rules/sql/index.js';
import type { InboxEvent } from '../../../src/protocol/inbox.js';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { endIn } from '../../helpers/maxima.js';
import { send } from '../../helpers/raw-http.js';
import { ENDS_SOON, seedAuction, seedUser, seedUsers, waitUntilEnded, type SeededUser } from '../../helpers/seed.js';

const t = useRulesDaemon();

/** Every event kept for a user, through the API, paging with `next`. */
async function inboxOf(user: SeededUser, after = 0): Promise<InboxEvent[]> {
  const out: InboxEvent[] = [];
  for (let page = await user.client.inbox(after, 7); ; page = await user.client.inbox(page.next, 7)) {
    out.push(...page.events);
    if (page.next >= page.last) return out;
  }
}

const kinds = (events: InboxEvent[]) => events.map((e) => `${e.seq}:${e.type}`);

describe('the inbox', () => {
  it('keeps the outbid event for a user with no socket open, with its balances, in order', async () => {
    const [ann, bob] = await seedUsers(t.daemon, 2, 1000);
    const lot = await seedAuction(t.seller);
    await ann!.client.bid(lot.id, 100);
    await bob!.client.bid(lot.id, 150);

    const page = await ann!.client.inbox(0);
    expect(page).toEqual({
      events: [
        { seq: 1, type: 'balance', userId: ann!.id, balance: 1000, held: 100, available: 900, at: expect.any(String) },
        { seq: 2, type: 'outbid', auction: lot.id, version: 2, at: expect.any(String), by: 'bid', price: 150, leaderId: bob!.id, released: 100 },
        { seq: 3, type: 'balance', userId: ann!.id, balance: 1000, held: 0, available: 1000, at: expect.any(String) },
      ],
      next: 3,
      last: 3,
      truncated: false,
    });
    // The outbid's time is the bid's: the same transaction.
    const detail = await t.daemon.admin.auction(lot.id);
    expect(page.events[1]!.at).toBe(detail.recentBids.find((b) => b.amount === 150)!.at);
    expect(await ann!.client.inbox(2)).toMatchObject({ events: [{ seq: 3 }], next: 3, last: 3, truncated: false });
    expect(await ann!.client.inbox(3)).toEqual({ events: [], next: 3, last: 3, truncated: false });
    expect(kinds(await inboxOf(bob!))).toEqual(['1:balance']);
  });

  it('numbers every user’s events 1, 2, 3… with no gap under concurrent bids and deposits, the last balance being the balance', async () => {
    const users = await seedUsers(t.daemon, 6, 100_000);
    const lots = await Promise.all([seedAuction(t.seller), seedAuction(t.seller), seedAuction(t.seller)]);
    let deposits = 0;
    await Promise.all([
      ...users.map(async (u, i) => {
        for (let n = 0; n < 25; n++) {
          const lot = lots[(i + n) % lots.length]!;
          await u.client.bid(lot.id, 100 + 10 * (n * users.length + i) + Math.floor(Math.random() * 5)).catch(() => {});
        }
      }),
      (async () => {
        for (let n = 0; n < 30; n++) {
          await t.daemon.admin.deposit(users[n % users.length]!.id, 1 + n);
          deposits++;
        }
      })(),
    ]);
    expect(deposits).toBe(30);
    const sql = t.daemon.context.sql;
    for (const u of users) {
      const events = await inboxOf(u);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      // What the outbox's private parts and the deposits owe this user, counted from the source.
      const [owed] = await sql<{ n: number }[]>`
        SELECT (SELECT count(*) FROM events e, jsonb_array_elements(e.private->'balances') b
                 WHERE (b->>'userId')::bigint = ${u.id})
             + (SELECT count(*) FROM events e
                 WHERE e.type IN ('bid', 'sold') AND (e.private->'outbid'->>'userId')::bigint = ${u.id})
             + (SELECT count(*) - 1 FROM ledger WHERE kind = 'deposit' AND user_id = ${u.id}) AS n`;
      expect(events).toHaveLength(owed!.n);
      const me = await u.client.me();
      expect(events.filter((e) => e.type === 'balance').at(-1)).toMatchObject({ balance: me.balance, held: me.held, available: me.available });
      const [row] = await sql<{ inbox_seq: number }[]>`SELECT inbox_seq FROM users WHERE id = ${u.id}`;
      expect(row!.inbox_seq).toBe(events.length);
    }
  });

  it('tells the winner they won, the seller they sold, every other bidder they lost; an unsold auction its seller', async () => {
    const seller = await seedUser(t.daemon);
    const [ann, bob, cat] = await seedUsers(t.daemon, 3, 1000);
    const lot = await seedAuction(seller, { durationSec: ENDS_SOON });
    const empty = await seedAuction(seller, { durationSec: ENDS_SOON });
    await ann!.client.bid(lot.id, 100);
    await bob!.client.bid(lot.id, 150);
    await ann!.client.bid(lot.id, 200);
    await cat!.client.bid(lot.id, 300);
    const before = { ann: (await ann!.client.inbox()).last, bob: (await bob!.client.inbox()).last, cat: (await cat!.client.inbox()).last };
    await waitUntilEnded(lot.endsAt);
    await waitUntilEnded(empty.endsAt);
    expect(await t.daemon.closer.runOnce()).toBe(2);

    const closedAt = await t.daemon.admin.auction(lot.id);
    const ending = { auction: lot.id, version: closedAt.version, at: expect.any(String) };
    expect(await inboxOf(cat!, before.cat)).toEqual([
      { seq: before.cat + 1, type: 'won', ...ending, price: 300 },
      { seq: before.cat + 2, type: 'balance', userId: cat!.id, balance: 700, held: 0, available: 700, at: expect.any(String) },
    ]);
    for (const [u, after] of [[ann!, before.ann], [bob!, before.bob]] as const) {
      expect(await inboxOf(u, after)).toEqual([{ seq: after + 1, type: 'lost', ...ending, price: 300, winnerId: cat!.id, reason: null }]);
    }
    const sellerEvents = await inboxOf(seller);
    expect(sellerEvents.map(({ seq, type, ...rest }) => ({ type, auction: (rest as { auction?: number }).auction }))).toEqual(
      expect.arrayContaining([
        { type: 'sale', auction: lot.id },
        { type: 'unsold', auction: empty.id },
      ]),
    );
    expect(sellerEvents.find((e) => e.type === 'sale')).toEqual({ seq: expect.any(Number), type: 'sale', ...ending, price: 300, buyerId: cat!.id });
    expect(sellerEvents.find((e) => e.type === 'balance')).toMatchObject({ balance: 300, held: 0 });
    const [left] = await t.daemon.context.sql<{ n: number }[]>`SELECT count(*) AS n FROM inbox_pending`;
    expect(left!.n).toBe(0);
  });

  it('tells a buy-now: the leader outbid and lost, the buyer won, the seller sold', async () => {
    const seller = await seedUser(t.daemon);
    const [ann, bob, cat] = await seedUsers(t.daemon, 3, 1000);
    const lot = await seedAuction(seller, { buyNowPrice: 500 });
    await cat!.client.bid(lot.id, 100);
    await ann!.client.bid(lot.id, 120);
    const annBefore = (await ann!.client.inbox()).last;
    const catBefore = (await cat!.client.inbox()).last;
    await bob!.client.buy(lot.id);
    await t.daemon.closer.runOnce();

    const sold = { auction: lot.id, version: 3, at: expect.any(String) };
    expect(await inboxOf(ann!, annBefore)).toEqual([
      { seq: annBefore + 1, type: 'outbid', ...sold, by: 'buyNow', price: 500, leaderId: bob!.id, released: 120 },
      { seq: annBefore + 2, type: 'balance', userId: ann!.id, balance: 1000, held: 0, available: 1000, at: expect.any(String) },
      { seq: annBefore + 3, type: 'lost', ...sold, price: 500, winnerId: bob!.id, reason: null },
    ]);
    expect(await inboxOf(cat!, catBefore)).toEqual([{ seq: catBefore + 1, type: 'lost', ...sold, price: 500, winnerId: bob!.id, reason: null }]);
    expect(kinds(await inboxOf(bob!))).toEqual(['1:won', '2:balance']);
    expect(await inboxOf(seller)).toEqual([
      { seq: 1, type: 'sale', ...sold, price: 500, buyerId: bob!.id },
      { seq: 2, type: 'balance', userId: seller.id, balance: 500, held: 0, available: 500, at: expect.any(String) },
    ]);
  });

  it('tells every bidder of an auction ended below its reserve that they did not win it, the leader too', async () => {
    const seller = await seedUser(t.daemon);
    const [ann, bob, cat] = await seedUsers(t.daemon, 3, 1000);
    const lot = await seedAuction(seller, { startPrice: 100, minIncrement: 10, reservePrice: 500 });
    await ann!.client.bidMax(lot.id, 450);
    await bob!.client.bid(lot.id, 300);
    const before = { ann: (await ann!.client.inbox()).last, bob: (await bob!.client.inbox()).last, cat: (await cat!.client.inbox()).last };
    await endIn(t.daemon.context.sql, lot.id, 0);
    expect(await t.daemon.closer.runOnce()).toBe(1);

    const ended = await t.daemon.admin.auction(lot.id);
    expect(ended).toMatchObject({ status: 'unsold', unsoldReason: 'reserve_not_met', leaderId: ann!.id });
    const lost = { type: 'lost', auction: lot.id, version: ended.version, at: expect.any(String), price: null, winnerId: null, reason: 'reserve_not_met' };
    // Ann led at 310 with her maximum of 450: the ending released it, then told her.
    expect(await inboxOf(ann!, before.ann)).toEqual([
      { seq: before.ann + 1, type: 'balance', userId: ann!.id, balance: 1000, held: 0, available: 1000, at: expect.any(String) },
      { seq: before.ann + 2, ...lost },
    ]);
    expect(await inboxOf(bob!, before.bob)).toEqual([{ seq: before.bob + 1, ...lost }]);
    expect(await inboxOf(cat!, before.cat)).toEqual([]);
    expect((await inboxOf(seller)).map((e) => e.type)).toEqual(['unsold']);
    const [left] = await t.daemon.context.sql<{ n: number }[]>`SELECT count(*) AS n FROM inbox_pending`;
    expect(left!.n).toBe(0);
  });

  it('keeps the newest events per user and those younger than the days; asking before them says truncated', async () => {
    const ann = await seedUser(t.daemon, 0);
    for (let i = 1; i <= 5; i++) await t.daemon.admin.deposit(ann.id, i);
    const sql = t.daemon.context.sql;
    await pruneInbox(sql, { days: 30, events: 2 });
    expect(await ann.client.inbox(0)).toMatchObject({ events: [{ seq: 4 }, { seq: 5 }], next: 5, last: 5, truncated: true });
    expect(await ann.client.inbox(2)).toMatchObject({ events: [{ seq: 4 }, { seq: 5 }], truncated: true });
    expect(await ann.client.inbox(3)).toMatchObject({ events: [{ seq: 4 }, { seq: 5 }], truncated: false });
    expect(await ann.client.inbox(5)).toEqual({ events: [], next: 5, last: 5, truncated: false });
    // A position this database never reached (another database's): start over from the oldest kept.
    expect(await ann.client.inbox(99)).toMatchObject({ events: [{ seq: 4 }, { seq: 5 }], next: 5, last: 5, truncated: true });

    // By age: events older than the days go, whatever their number.
    await sql`UPDATE inbox SET created_at = now() - interval '31 days' WHERE user_id = ${ann.id} AND seq = 4`;
    await pruneInbox(sql, { days: 30, events: 1000 });
    expect(await ann.client.inbox(3)).toMatchObject({ events: [{ seq: 5, balance: 15 }], truncated: true });
    await sql`UPDATE inbox SET created_at = now() - interval '31 days' WHERE user_id = ${ann.id}`;
    await pruneInbox(sql);
    expect(await ann.client.inbox(3)).toEqual({ events: [], next: 5, last: 5, truncated: true });
    expect(await ann.client.inbox(5)).toEqual({ events: [], next: 5, last: 5, truncated: false });
  });

  it('a bid batch writes the private events of its rows to the users concerned, and nothing for a refused bid', async () => {
    const [ann, bob, cid] = await seedUsers(t.daemon, 3, 100_000);
    const [lot, other] = [await seedAuction(t.seller), await seedAuction(t.seller)];
    await ann!.client.bid(lot.id, 100); // rows before the batch
    await t.daemon.admin.deposit(bob!.id, 5);
    const { sql } = t.daemon.context;
    const lastOf = () => Promise.all([ann!, bob!, cid!].map(async (u) => (await u.client.inbox(0)).last));
    // Each user's events after `before`, as types.
    const typesAfter = async (before: number[]) =>
      Promise.all([ann!, bob!, cid!].map(async (u, i) => (await u.client.inbox(before[i]!)).events.map((e) => e.type)));
    let before = await lastOf();
    const bids = [
      { bidderId: bob!.id, amount: 300, max: true }, // outbids ann
      { bidderId: ann!.id, amount: 150, max: false }, // answered by bob's maximum: maxRaised, outbid
      { bidderId: bob!.id, amount: 900, max: true }, // the leader raises their maximum: a balance row, no event
      { bidderId: cid!.id, amount: 100, max: false }, // too low: writes nothing
    ];
    const [row] = await sql<{ r: RuleResult }[]>`SELECT nb_place_bids(${lot.id}, ${sql.json(bids)}, ${RULES_VERSION}) AS r`;
    expect(row!.r.results.map((r) => (r.body as { error?: { code: string } }).error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'BID_TOO_LOW']);
    const [annGot, bobGot, cidGot] = await typesAfter(before);
    expect(annGot).toEqual(['outbid', 'balance', 'outbid']); // her answered bid held nothing, so released nothing
    expect(bobGot).toContain('maxRaised');
    expect(cidGot).toEqual([]);

    // The same for each auction of a group.
    before = await lastOf();
    const parts = [
      { auction: lot.id, bids: [{ bidderId: cid!.id, amount: 1000, max: false }] },
      { auction: other.id, bids: [{ bidderId: ann!.id, amount: 100, max: false }, { bidderId: cid!.id, amount: 200, max: false }] },
    ];
    await sql`SELECT nb_place_bids_multi(${sql.json(parts)}, ${RULES_VERSION})`;
    const [annThen, bobThen, cidThen] = await typesAfter(before);
    expect(annThen).toEqual(['balance', 'outbid', 'balance']);
    expect(bobThen).toContain('outbid');
    expect(cidThen!.filter((type) => type === 'balance')).toHaveLength(2);
  });

  it('refuses a bad query with INVALID_INPUT, the admin with FORBIDDEN and no token with UNAUTHORIZED', async () => {
    const ann = await seedUser(t.daemon, 0);
    for (const q of ['after=-1', 'after=x', 'after=1.5', 'limit=0', 'limit=1001', 'limit=', 'after=1&after=2', 'since=3']) {
      const r = await send(t.daemon.url, { path: `/v1/me/events?${q}`, token: ann.token });
      expect(r.status, q).toBe(400);
      expect(r.json.error, q).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/query/) });
    }
    expect((await send(t.daemon.url, { path: '/v1/me/events', token: t.daemon.adminToken })).json.error.code).toBe('FORBIDDEN');
    expect((await send(t.daemon.url, { path: '/v1/me/events' })).json.error.code).toBe('UNAUTHORIZED');
    expect((await send(t.daemon.url, { path: '/v1/me/events?limit=1000', token: ann.token })).json).toEqual({
      events: [],
      next: 0,
      last: 0,
      truncated: false,
    });
  });
});
