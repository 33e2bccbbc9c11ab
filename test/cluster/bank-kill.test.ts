// The bank test (test/helpers/bank.ts) through HAProxy on three daemons whose
// pools go through PgBouncer, with one daemon killed with kill -9 during every
// run and started again. Every operation carries an Idempotency-Key and is
// retried with it while the answer is "try again", so each has one definite
// answer; then money is conserved and every balance is exactly what the
// answers say, and the audit is clean on all three daemons.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { bankWorkload, checkBank, playBank } from '../helpers/bank.js';
import { useCluster } from '../helpers/cluster.js';
import { soak } from '../helpers/soak.js';
import { report } from '../helpers/tally.js';

const c = useCluster();

describe('the bank test behind HAProxy with a daemon killed', () => {
  it(
    'keeps money conserved and every balance exact when a daemon is killed with kill -9 and restarted during the run',
    async () => {
      const tally = { runs: 0, ops: 0, accepted: 0, refused: 0, kills: 0, retried: 0 };
      const admins = c.daemons.map((d) => new HttpClient({ url: d.url, token: c.adminToken }));
      await fc.assert(
        fc.asyncProperty(bankWorkload(60, soak(120, 200)), fc.nat({ max: 2 }), fc.nat(), async (w, victim, pick) => {
          const d = c.daemons[victim]!;
          // Killed just as one of the operations is sent (so, often, with requests in flight),
          // down for a second, then back on its port.
          const killAfterMs = w.ops[pick % w.ops.length]!.at + 2;
          const during = async () => {
            await new Promise((r) => setTimeout(r, killAfterMs));
            await d.kill('SIGKILL');
            tally.kills++;
            await new Promise((r) => setTimeout(r, 1000));
            await d.start();
          };
          const run = await playBank({ urls: [c.url], adminToken: c.adminToken, admin: c, retry: true, during }, w);
          await checkBank(c.sql, run, admins);
          tally.runs++;
          tally.ops += run.answers.length;
          tally.accepted += run.answers.filter((x) => x.ok).length;
          tally.refused += run.answers.filter((x) => !x.ok).length;
          tally.retried += run.answers.filter((x) => x.retries > 0).length;
        }),
        { numRuns: soak(3, 30), interruptAfterTimeLimit: soak(150_000, 1_500_000) },
      );
      expect(tally.runs).toBeGreaterThan(0);
      report({
        fault: 'kill -9 of one of three daemons behind HAProxy during random deposits, bids, buys, cancels and closes (bank test)',
        operations: tally.ops,
        checked: `${tally.runs} random workloads, ${tally.kills} kills; ${tally.accepted} answered 200/201, ${tally.refused} refused by a rule, ${tally.retried} sent again with their key after the kill took their answer; money conserved, every balance as answered, audit clean on all three`,
        lost: 0,
      });
    },
    soak(300_000, 1_800_000),
  );
});
