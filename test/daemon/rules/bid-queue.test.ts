// Group commit across auctions: with one slot busy, the bids that arrive for
// several auctions share the next transaction (nb_place_bids_multi), and each
// still gets its own answer, in arrival order per auction, with gapless
// versions, events published only after commit, and a clean audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../../../src/daemon/rules/outcome.js';
import { silentPublisher } from '../../../src/daemon/rules/publisher.js';
import { BidQueue } from '../../../src/daemon/rules/bid-queue.js';
import { RULES_VERSION } from '../../../src/daemon/rules/sql/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

let db: TestDatabase;
let daemon: TestDaemon & { removeDir(): Promise<void> };

beforeAll(async () => {
  db = await createTestDatabase();
  daemon = await startTestDaemon(db.url);
});

afterAll(async () => {
  await daemon?.close();
  await daemon?.removeDir();
  await db?.drop();
});

const codeOf = (o: { status: number; body: unknown }) =>
  o.status === 201 ? 'accepted' : (o.body as { error: { code: string } }).error.code;

describe('bid queue across auctions', () => {
  it('puts the waiting bids of several auctions in one transaction, each with its own answer', async () => {
    const seller = await daemon.admin.createUser('seller');
    const alice = await daemon.admin.createUser('alice', 1000);
    const bob = await daemon.admin.createUser('bob', 500);
    const carol = await daemon.admin.createUser('carol', 100);
    const sellerClient = daemon.client(seller.token);
    const [a1, a2, a3] = await Promise.all(
      [1, 2, 3].map((i) => sellerClient.createAuction({ title: `lot ${i}`, startPrice: 100, minIncrement: 10, durationSec: 600 })),
    );

    const published: OutboxEvent[] = [];
    const committed: number[] = [];
    const batches: number[] = [];
    const queue = new BidQueue(
      daemon.context.sql,
      { publish: (events) => void published.push(...events), publishBalances: () => {}, publishInbox: () => {} },
      { slots: 1, onBatch: (size) => batches.push(size) },
    );

    // The first bid takes the only slot; everything after it waits and goes together.
    const first = queue.submit(a3!.id, { bidderId: carol.id, amount: 100 });
    const rest = [
      queue.submit(a1!.id, { bidderId: alice.id, amount: 1000 }), // accepted: alice holds everything
      queue.submit(a2!.id, { bidderId: alice.id, amount: 1000 }), // INSUFFICIENT_FUNDS: same transaction, held already
      queue.submit(a1!.id, { bidderId: bob.id, amount: 500 }), // BID_TOO_LOW: after alice's 1000 on a1
      queue.submit(a2!.id, { bidderId: bob.id, amount: 500 }), // accepted
      queue.submit(a3!.id, { bidderId: carol.id, amount: 110 }), // INSUFFICIENT_FUNDS: 100 + own hold 100 < 110
      queue.submit(a3!.id, { bidderId: seller.id, amount: 500 }), // SELF_BID
    ];
    for (const p of [first, ...rest]) void p.then(() => committed.push(batches.length));

    expect(codeOf(await first)).toBe('accepted');
    const answers = await Promise.all(rest);
    expect(answers.map(codeOf)).toEqual(['accepted', 'INSUFFICIENT_FUNDS', 'BID_TOO_LOW', 'accepted', 'INSUFFICIENT_FUNDS', 'SELF_BID']);
    expect(batches).toEqual([1, 6]);
    // Each answer came after its own transaction had returned (committed), never before.
    expect(committed).toEqual([1, 2, 2, 2, 2, 2, 2]);
    expect((answers[2]!.body as { error: { minimum: number } }).error.minimum).toBe(1010);
    expect((answers[0]!.body as { bid: { version: number } }).bid.version).toBe(1);
    expect((answers[3]!.body as { bid: { version: number } }).bid.version).toBe(1);

    // Every accepted bid published exactly one event, versions gapless per auction.
    expect(published.map((e) => [e.payload.auction, e.payload.version])).toEqual([
      [a3!.id, 1],
      [a1!.id, 1],
      [a2!.id, 1],
    ]);
    expect(await daemon.client(alice.token).me()).toMatchObject({ balance: 1000, held: 1000 });
    expect(await daemon.client(bob.token).me()).toMatchObject({ balance: 500, held: 500 });
    expect(await daemon.client(carol.token).me()).toMatchObject({ balance: 100, held: 100 });
    const report = await daemon.admin.audit();
    expect(report.violations).toEqual([]);
  });

  it('keeps an idempotency key used twice in one group to one bid', async () => {
    const seller = await daemon.admin.createUser('seller 2');
    const dave = await daemon.admin.createUser('dave', 1000);
    const sellerClient = daemon.client(seller.token);
    const [b1, b2] = await Promise.all(
      [1, 2].map((i) => sellerClient.createAuction({ title: `lot ${i}`, startPrice: 100, minIncrement: 10, durationSec: 600 })),
    );
    const queue = new BidQueue(daemon.context.sql, silentPublisher, { slots: 1 });
    const blocker = queue.submit(b2!.id, { bidderId: dave.id, amount: 100 });
    const once = queue.submit(b1!.id, { bidderId: dave.id, amount: 200, key: 'k1', hash: 'h1' });
    const again = queue.submit(b1!.id, { bidderId: dave.id, amount: 200, key: 'k1', hash: 'h1' });
    const other = queue.submit(b2!.id, { bidderId: dave.id, amount: 300, key: 'k1', hash: 'h2' });
    await blocker;
    const [o1, o2, o3] = await Promise.all([once, again, other]);
    expect(o1.status).toBe(201);
    expect(o2).toMatchObject({ status: 201, replayed: true, body: o1.body });
    expect(codeOf(o3)).toBe('IDEMPOTENCY_CONFLICT');
    const shown = await daemon.admin.auction(b1!.id);
    expect(shown.bidCount).toBe(1);
    expect((await daemon.admin.audit()).violations).toEqual([]);
  });

  it('writes every part of a group: its rows, and the inbox in the order of the parts, holds carried between them', async () => {
    const seller = await daemon.admin.createUser('seller 3');
    const erin = await daemon.admin.createUser('erin', 1000);
    const finn = await daemon.admin.createUser('finn', 1000);
    const sellerClient = daemon.client(seller.token);
    // One after the other, so that x has the lower id (the rows below are read in id order).
    const x = await sellerClient.createAuction({ title: 'lot 1', startPrice: 100, minIncrement: 10, durationSec: 600 });
    const y = await sellerClient.createAuction({ title: 'lot 2', startPrice: 100, minIncrement: 10, durationSec: 600 });
    const sql = daemon.context.sql;
    for (const lot of [x!, y!]) {
      await sql`SELECT nb_place_bids(${lot.id}, ${sql.json([{ bidderId: erin.id, amount: 100 }])}, ${RULES_VERSION})`;
    }
    // A user's inbox rows after seq `after`, as [type, auction or hold].
    const inboxOf = async (user: number, after = 0) => {
      const rows = await sql<{ payload: { type: string; auction?: number; held?: number } }[]>`
        SELECT payload FROM inbox WHERE user_id = ${user} AND seq > ${after} ORDER BY seq`;
      return rows.map(({ payload: p }) => [p.type, p.auction ?? p.held]);
    };
    const seqOf = async (user: number) => (await sql<{ inbox_seq: number }[]>`SELECT inbox_seq FROM users WHERE id = ${user}`)[0]!.inbox_seq;
    const before = { erin: await seqOf(erin.id), finn: await seqOf(finn.id) };
    // Finn takes both leads in one transaction: erin is outbid on x, then on y.
    const parts = [x!, y!].map((lot, i) => ({ auction: lot.id, bids: [{ bidderId: finn.id, amount: 200 + i * 100 }] }));
    type Part = { results: { body: { leading: boolean } }[] };
    const [row] = await sql<{ r: Part[] }[]>`SELECT nb_place_bids_multi(${sql.json(parts)}, ${RULES_VERSION}) AS r`;
    expect(row!.r.map((p) => p.results.map((a) => a.body.leading))).toEqual([[true], [true]]);
    // The group's inbox rows, in the order of the parts.
    expect(await inboxOf(erin.id, before.erin)).toEqual([['outbid', x!.id], ['balance', 100], ['outbid', y!.id], ['balance', 0]]);
    expect(await inboxOf(finn.id, before.finn)).toEqual([['balance', 200], ['balance', 500]]);

    const auctions = await sql<{ id: number; current_price: number; leader_id: number; leader_max: number; version: number }[]>`
      SELECT id, current_price, leader_id, leader_max, version FROM auctions WHERE id IN (${x!.id}, ${y!.id}) ORDER BY id`;
    expect(auctions).toEqual([
      { id: x!.id, current_price: 200, leader_id: finn.id, leader_max: 200, version: 2 },
      { id: y!.id, current_price: 300, leader_id: finn.id, leader_max: 300, version: 2 },
    ]);
    const bids = await sql`SELECT auction_id, bidder_id, amount, version FROM bids WHERE auction_id IN (${x!.id}, ${y!.id}) AND version = 2 ORDER BY id`;
    expect(bids).toEqual([
      { auction_id: x!.id, bidder_id: finn.id, amount: 200, version: 2 },
      { auction_id: y!.id, bidder_id: finn.id, amount: 300, version: 2 },
    ]);
    const ledger = await sql`
      SELECT auction_id, user_id, kind, delta_held FROM ledger
       WHERE auction_id IN (${x!.id}, ${y!.id}) AND user_id IN (${erin.id}, ${finn.id}) AND bid_id IS NOT NULL ORDER BY id`;
    expect(ledger.slice(2)).toEqual([
      { auction_id: x!.id, user_id: erin.id, kind: 'release', delta_held: -100 },
      { auction_id: x!.id, user_id: finn.id, kind: 'hold', delta_held: 200 },
      { auction_id: y!.id, user_id: erin.id, kind: 'release', delta_held: -100 },
      { auction_id: y!.id, user_id: finn.id, kind: 'hold', delta_held: 300 },
    ]);
    // Erin's inbox: x's outbid and balance (still holding y), then y's.
    expect((await inboxOf(erin.id)).slice(-4)).toEqual([
      ['outbid', x!.id],
      ['balance', 100],
      ['outbid', y!.id],
      ['balance', 0],
    ]);
    expect(await daemon.client(finn.token).me()).toMatchObject({ balance: 1000, held: 500 });

    // Parts in the other order (y, then x): erin takes both back, and finn's inbox follows the parts, not
    // the ids or the versions (finn raising his own bid on y first puts y's next version above x's).
    await sql`SELECT nb_place_bids(${y!.id}, ${sql.json([{ bidderId: finn.id, amount: 350 }])}, ${RULES_VERSION})`;
    const back = [y!, x!].map((lot, i) => ({ auction: lot.id, bids: [{ bidderId: erin.id, amount: 400 - i * 100 }] }));
    await sql`SELECT nb_place_bids_multi(${sql.json(back)}, ${RULES_VERSION})`;
    expect((await inboxOf(finn.id)).slice(-4)).toEqual([
      ['outbid', y!.id],
      ['balance', 200],
      ['outbid', x!.id],
      ['balance', 0],
    ]);
    expect((await daemon.admin.audit()).violations).toEqual([]);
  });
});
