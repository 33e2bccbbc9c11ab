// `bench hot`: one auction, many bidders, everyone bidding on the same row —
// the last minute of a popular auction. Group commit is what lets the daemon
// pass the one-transaction-per-bid ceiling of the raw-SQL contenders.
import type { Report } from '../harness/report.js';
import type { BenchEnv } from '../harness/session.js';
import { runWorkloadScenario, type WorkloadFlags, type WorkloadScenario } from './throughput.js';

export const hotScenario: WorkloadScenario = {
  scenario: 'hot',
  contenders: ['statements', 'function', 'daemon'],
  defaults: { auctions: 1, bidders: 200, concurrency: 64, durationSec: 10, maxBids: 2_000_000 },
  targets: [
    { what: 'daemon ≥ 3× (a) accepted bids/s', key: 'hot.ratio.daemon/statements', atLeast: 3 },
    { what: 'daemon ≥ 1.5× (b) accepted bids/s', key: 'hot.ratio.daemon/function', atLeast: 1.5 },
    { what: 'daemon p99 ≤ 100 ms', key: 'hot.daemon.p99Ms', atMost: 100 },
  ],
};

export function runHot(env: BenchEnv, flags: WorkloadFlags): Promise<Report> {
  return runWorkloadScenario(hotScenario, env, flags);
}
