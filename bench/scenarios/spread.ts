// `bench spread`: bids spread uniformly over 1,000 auctions, so they rarely
// meet on a row: batching here means putting the bids of several auctions in
// one transaction, and the run measures the daemon with that on and off.
import type { Report } from '../harness/report.js';
import type { BenchEnv } from '../harness/session.js';
import { DEFAULT_MAX_SHARE, runWorkloadScenario, type WorkloadFlags, type WorkloadScenario } from './throughput.js';

export const spreadScenario: WorkloadScenario = {
  scenario: 'spread',
  // The last measures cross-auction batching: the same daemon with it off.
  contenders: ['statements', 'function', 'daemon', 'daemon-per-auction'],
  defaults: { auctions: 1000, bidders: 200, concurrency: 64, durationSec: 10, maxBids: 2_000_000, maxShare: DEFAULT_MAX_SHARE },
  targets: [{ what: 'daemon ≥ 1.2× (a) accepted bids/s', key: 'spread.ratio.daemon/statements', atLeast: 1.2 }],
};

export function runSpread(env: BenchEnv, flags: WorkloadFlags): Promise<Report> {
  return runWorkloadScenario(spreadScenario, env, flags);
}
