// Lesson 1 across the deployment: many users, each firing whole-balance bids
// at several auctions at the same instant over separate connections through
// HAProxy, which spreads them over the three daemons (whose pools go through
// PgBouncer). Each user wins exactly one; nobody overspends; the audit is clean.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withRetries } from '../../src/cli/retry.js';
import type { NbError } from '../../src/protocol/errors.js';
import { HttpClient } from '../../src/client/http-client.js';
import { allUp, bidsTaken, useCluster } from '../helpers/cluster.js';
import { expectAuditClean, seedAuction, seedUser, seedUsers } from '../helpers/seed.js';
import { sqlArray } from '../../src/daemon/db/database.js';
import { report } from '../helpers/tally.js';

const c = useCluster();

const USERS = 100;
const PER_USER = 4;
const BALANCE = 5_000;

describe('the double-spend race across three daemons behind HAProxy', () => {
  it(`lets each of ${USERS} users win exactly one of ${PER_USER} simultaneous whole-balance bids`, async () => {
    const seller = await seedUser(c);
    const users = await seedUsers(c, USERS, BALANCE);
    const auctions = await Promise.all(Array.from({ length: USERS * PER_USER }, () => seedAuction(seller, { startPrice: 100 })));
    await allUp(c);
    const before = await Promise.all(c.daemons.map(bidsTaken));

    // Every bid at once, each over its own connection to HAProxy, with its own key: an answer
    // lost on the way (HAProxy's UNREACHABLE on a busy machine) is asked again with the key, as the CLI does.
    let retried = 0;
    const why = new Map<string, number>();
    const outcomes = await Promise.all(
      users.map((u, i) =>
        Promise.allSettled(
          auctions.slice(i * PER_USER, (i + 1) * PER_USER).map((a) => {
            const key = randomUUID();
            return withRetries(() => u.clientFor(c.url).bid(a.id, BALANCE, { idempotencyKey: key }), {
              delaysMs: [200, 400, 800, 1600, 3200],
              onRetry: (err) => {
                retried++;
                why.set(`${err.code}: ${err.message}`, (why.get(`${err.code}: ${err.message}`) ?? 0) + 1);
              },
            });
          }),
        ),
      ),
    );
    for (const results of outcomes) {
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect([(r.reason as NbError).code, (r.reason as NbError).message]).toEqual(['INSUFFICIENT_FUNDS', expect.any(String)]);
      }
    }

    // Round robin spread them: every daemon took a share of the race.
    const after = await Promise.all(c.daemons.map(bidsTaken));
    const taken = after.map((n, i) => n - before[i]!);
    const sum = taken.reduce((s, n) => s + n, 0);
    // A bid asked again may have reached a daemon the first time too.
    expect(sum).toBeGreaterThanOrEqual(USERS * PER_USER);
    expect(sum).toBeLessThanOrEqual(USERS * PER_USER + retried);
    for (const n of taken) expect(n).toBeGreaterThan(0);

    // Nobody holds more than they have, and each user leads exactly one auction.
    const ids = users.map((u) => u.id);
    const rows = await c.sql<{ id: number; balance: number; held: number; leading: number }[]>`
      SELECT u.id, u.balance, u.held, (SELECT count(*) FROM auctions a WHERE a.leader_id = u.id)::bigint AS leading
        FROM users u WHERE u.id = ANY (${sqlArray(ids)}::bigint[]) ORDER BY u.id`;
    expect(rows).toEqual(ids.sort((a, b) => a - b).map((id) => ({ id, balance: BALANCE, held: BALANCE, leading: 1 })));
    for (const d of c.daemons) await expectAuditClean(new HttpClient({ url: d.url, token: c.adminToken }));

    if (why.size > 0) process.stdout.write(`asked again: ${JSON.stringify(Object.fromEntries(why))}\n`);
    report({
      fault: 'simultaneous whole-balance bids over three daemons behind HAProxy, pools through PgBouncer',
      operations: USERS * PER_USER,
      checked: `${USERS} users × ${PER_USER} bids (${retried} asked again with their key); each daemon took ${taken.join(' / ')}; each user won exactly one, the rest INSUFFICIENT_FUNDS; audit clean on all three`,
      lost: 0,
    });
  });
});
