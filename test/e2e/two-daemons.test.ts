// Two daemon processes sharing one database: no in-process lock can keep
// money safe here, only the database's row locks. Lesson 1 across both
// daemons, and their two close loops settling each auction exactly once.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { openDatabase, sqlArray, type Sql } from '../../src/daemon/db/database.js';
import { createTestDatabase, databaseArgs, type TestDatabase } from '../helpers/database.js';
import { CLEAN_ENV, logged, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { send } from '../helpers/raw-http.js';
import { expectAuditClean, expectWinsExactlyOne, seedAuction, seedUser, type Admin } from '../helpers/seed.js';
import { waitFor } from '../helpers/poll.js';

let db: TestDatabase;
let sql: Sql;
const dirs: { path: string; remove(): Promise<void> }[] = [];
let daemons: (SpawnedDaemon & Admin)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sql = openDatabase({ url: db.url, max: 2 });
  const token = `nb_admin_e2e_${randomBytes(8).toString('hex')}`;
  daemons = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const dir = await tempDir(`nb-two-${name}-`);
      dirs.push(dir);
      const d = await spawnDaemon([...databaseArgs(db.url), '--data-dir', dir.path, '--log-level', 'info'], {
        ...CLEAN_ENV,
        NEIGHBORBID_ADMIN_TOKEN: token,
      });
      return Object.assign(d, { admin: new HttpClient({ url: d.url, token }) });
    }),
  );
});
afterAll(async () => {
  for (const d of daemons) expect(await d.stop('SIGTERM')).toBe(0);
  await sql?.end();
  await db?.drop();
  for (const dir of dirs) await dir.remove();
});

/** A counter's value in a daemon's /metrics. */
async function metric(d: SpawnedDaemon, name: string): Promise<number> {
  const text = (await send(d.url, { path: '/metrics' })).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('two daemons, one database', () => {
  it('start nothing of their own and share the admin token from the environment', () => {
    for (const [i, d] of daemons.entries()) {
      expect(logged(d.output(), 'listening', { postgres: 'given' })).toHaveLength(1);
      expect(existsSync(join(dirs[i]!.path, 'pg'))).toBe(false);
      expect(existsSync(join(dirs[i]!.path, 'admin-token'))).toBe(false);
    }
  });

  it('let a user with 10,000 win exactly one of ten whole-balance bids sent to both at once', async () => {
    const [a, b] = daemons as [SpawnedDaemon & Admin, SpawnedDaemon & Admin];
    const seller = await seedUser(a);
    // Three users at once, each at their own ten auctions, half through each daemon.
    await Promise.all(
      [0, 1, 2].map(async () => {
        const bidder = await seedUser(b, 10_000);
        const auctions = await Promise.all(Array.from({ length: 10 }, () => seedAuction(seller)));
        await expectWinsExactlyOne(bidder, auctions, [a.url, b.url]);
      }),
    );
    await expectAuditClean(a.admin);
    await expectAuditClean(b.admin);
  });

  it('never settle an auction twice, however many end at the same instant', async () => {
    const [a, b] = daemons as [SpawnedDaemon & Admin, SpawnedDaemon & Admin];
    const settledBefore = (await metric(a, 'nb_auctions_settled_total')) + (await metric(b, 'nb_auctions_settled_total'));
    const seller = await seedUser(a);
    const bidders = await Promise.all(Array.from({ length: 10 }, (_, i) => seedUser(i % 2 ? a : b, 1_000_000)));
    const n = 240;
    // One end for all, far enough ahead to create and bid on a busy machine.
    const endsAt = new Date(Date.now() + 10_000).toISOString();
    const auctions = await Promise.all(
      Array.from({ length: n }, (_, i) => seller.clientFor(daemons[i % 2]!.url).createAuction({ title: `lot ${i}`, startPrice: 100, minIncrement: 1, endsAt })),
    );
    const withBids = new Set(auctions.filter((_, i) => i % 3 !== 0).map((x) => x.id));
    await Promise.all(
      [...withBids].map((id, i) => bidders[i % bidders.length]!.clientFor(daemons[i % 2]!.url).bid(id, 100 + i)),
    );
    expect(Date.now()).toBeLessThan(Date.parse(endsAt)); // every bid was placed before the end

    const ids = auctions.map((x) => x.id);
    await waitFor(async () => {
      const [row] = await sql<{ open: number }[]>`SELECT count(*)::bigint AS open FROM auctions WHERE id = ANY (${sqlArray(ids)}::bigint[]) AND status = 'open'`;
      return row!.open === 0;
    }, 60_000, 'both closers to settle every auction');

    const rows = await sql<{ id: number; status: string; charges: number; payouts: number; closed: number }[]>`
      SELECT a.id, a.status,
             (SELECT count(*) FROM ledger l WHERE l.auction_id = a.id AND l.kind = 'charge')::bigint AS charges,
             (SELECT count(*) FROM ledger l WHERE l.auction_id = a.id AND l.kind = 'payout')::bigint AS payouts,
             (SELECT count(*) FROM events e WHERE e.auction_id = a.id AND e.type = 'closed')::bigint AS closed
        FROM auctions a WHERE a.id = ANY (${sqlArray(ids)}::bigint[])`;
    expect(rows).toHaveLength(n);
    for (const r of rows) {
      const sold = withBids.has(r.id);
      expect(r).toEqual({ id: r.id, status: sold ? 'closed' : 'unsold', charges: sold ? 1 : 0, payouts: sold ? 1 : 0, closed: 1 });
    }
    // Each daemon counts what it settled; together exactly n, so none twice.
    const settledA = await metric(a, 'nb_auctions_settled_total');
    const settledB = await metric(b, 'nb_auctions_settled_total');
    expect(settledA + settledB - settledBefore).toBe(n);
    for (const u of bidders) expect((await u.client.me()).held).toBe(0);
    await expectAuditClean(a.admin);
    await expectAuditClean(b.admin);
  });
});
