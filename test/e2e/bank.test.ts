// The bank test (after Jepsen's): random concurrent deposits, bids, buy-nows,
// admin and seller cancels, and closes by the closers of two daemon processes
// sharing one database, generated and shrunk by fast-check. Afterwards money
// is conserved, nothing is negative, every hold is a leading bid, the audit is
// clean on both daemons, and the database agrees with what each client was told:
// every 200/201 is there, and nothing refused moved a cent (test/helpers/bank.ts).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { openDatabase, type Sql } from '../../src/daemon/db/database.js';
import { bankWorkload, checkBank, playBank } from '../helpers/bank.js';
import { createTestDatabase, databaseArgs, type TestDatabase } from '../helpers/database.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { soak } from '../helpers/soak.js';
import type { Admin } from '../helpers/seed.js';
import { report } from '../helpers/tally.js';

const adminToken = `nb_admin_bank_${randomBytes(8).toString('hex')}`;
let db: TestDatabase;
let sql: Sql;
const dirs: { remove(): Promise<void> }[] = [];
let daemons: (SpawnedDaemon & Admin)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sql = openDatabase({ url: db.url, max: 2 });
  daemons = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const dir = await tempDir(`nb-bank-${name}-`);
      dirs.push(dir);
      const d = await spawnDaemon([...databaseArgs(db.url), '--data-dir', dir.path], { ...CLEAN_ENV, NEIGHBORBID_ADMIN_TOKEN: adminToken });
      return Object.assign(d, { admin: new HttpClient({ url: d.url, token: adminToken }) });
    }),
  );
});
afterAll(async () => {
  for (const d of daemons) expect(await d.stop('SIGTERM')).toBe(0);
  await sql?.end();
  await db?.drop();
  for (const dir of dirs) await dir.remove();
});

describe('the bank test on two daemons', () => {
  it(
    'keeps money conserved and every answer true under random concurrent deposits, bids, buys, cancels and closes',
    async () => {
      const tally = { runs: 0, ops: 0, accepted: 0, refused: 0, settled: 0 };
      await fc.assert(
        fc.asyncProperty(bankWorkload(20, soak(40, 150)), async (w) => {
          const run = await playBank({ urls: daemons.map((d) => d.url), adminToken, admin: daemons[0]! }, w);
          await checkBank(sql, run, daemons.map((d) => d.admin));
          tally.runs++;
          tally.ops += run.answers.length;
          tally.accepted += run.answers.filter((x) => x.ok).length;
          tally.refused += run.answers.filter((x) => !x.ok).length;
          tally.settled += run.lots.length;
        }),
        // Shrinking re-runs whole workloads; bound it so a failure is reported, shrunk as far as time allowed.
        { numRuns: soak(4, 50), interruptAfterTimeLimit: soak(120_000, 1_500_000) },
      );
      expect(tally.runs).toBeGreaterThan(0);
      report({
        fault: 'concurrent deposits, bids, buy-nows, cancels and closes on two daemons (bank test)',
        operations: tally.ops,
        checked: `${tally.runs} random workloads; ${tally.accepted} answered 200/201, ${tally.refused} refused by a rule, ${tally.settled} auctions ended; money conserved, audit clean on both daemons, database = answers`,
        lost: 0,
      });
      // Secrets never reach the logs.
      for (const d of daemons) expect(d.output()).not.toContain(adminToken);
    },
    soak(240_000, 1_800_000),
  );
});
