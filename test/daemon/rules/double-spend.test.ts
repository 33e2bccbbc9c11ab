// Lesson 1: a user with 10,000 who bids 10,000 on ten auctions at the same
// instant, over ten separate connections, wins exactly one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NbError } from '../../../src/protocol/errors.js';
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

describe('double spending', () => {
  it('wins exactly one of ten simultaneous whole-balance bids, over ten connections', async () => {
    const seller = await daemon.admin.createUser('seller');
    const bidder = await daemon.admin.createUser('bidder', 10_000);
    const sellerClient = daemon.client(seller.token);
    const auctions = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sellerClient.createAuction({ title: `lot ${i}`, startPrice: 100, minIncrement: 10, durationSec: 600 }),
      ),
    );
    // A client per bid: each has its own agent, so each bid is its own TCP connection.
    const clients = auctions.map(() => daemon.client(bidder.token));
    const results = await Promise.allSettled(auctions.map((a, i) => clients[i]!.bid(a.id, 10_000)));

    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(NbError);
      expect((r.reason as NbError).code).toBe('INSUFFICIENT_FUNDS');
    }
    const me = await daemon.client(bidder.token).me();
    expect(me).toMatchObject({ balance: 10_000, held: 10_000, available: 0 });
    const report = await daemon.admin.audit();
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
