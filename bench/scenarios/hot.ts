// `bench hot`: one auction, many bidders, everyone bidding on the same row —
// the last minute of a popular auction. Group commit is what lets the daemon
// pass the one-transaction-per-bid ceiling of the raw-SQL contenders; bids over
// the daemon's WebSocket skip HTTP's per-request work on top of it.
import type { Report } from '../harness/report.js';
import type { BenchEnv } from '../harness/session.js';
import { DEFAULT_MAX_SHARE, runWorkloadScenario, type WorkloadFlags, type WorkloadScenario } from './throughput.js';

export const hotScenario: WorkloadScenario = {
  scenario: 'hot',
  contenders: ['statements', 'function', 'daemon', 'daemon-ws'],
  defaults: { auctions: 1, bidders: 200, concurrency: 64, durationSec: 10, maxBids: 2_000_000, maxShare: DEFAULT_MAX_SHARE },
  targets: [
    { what: 'daemon ≥ 3× (a) accepted bids/s', key: 'hot.ratio.daemon/statements', atLeast: 3 },
    { what: 'daemon ≥ 1.5× (b) accepted bids/s', key: 'hot.ratio.daemon/function', atLeast: 1.5 },
    { what: 'daemon p99 ≤ 100 ms', key: 'hot.daemon.p99Ms', atMost: 100 },
    { what: 'daemon over WebSocket ≥ 1.3× daemon over HTTP accepted bids/s', key: 'hot.ratio.daemon-ws/daemon', atLeast: 1.3 },
    { what: 'daemon over WebSocket p99 ≤ 100 ms', key: 'hot.daemon-ws.p99Ms', atMost: 100 },
  ],
};

export function runHot(env: BenchEnv, flags: WorkloadFlags): Promise<Report> {
  return runWorkloadScenario(hotScenario, env, flags);
}
