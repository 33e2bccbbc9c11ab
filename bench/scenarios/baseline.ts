// `bench baseline`: the bid transaction fired straight at PostgreSQL through
// `pg`, both ways — (a) statement by statement and (b) one nb_place_bids call —
// one bid per transaction, on one hot auction and spread over many. It is the
// raw limit the daemon's figures are read against (hot and spread also measure
// it in the same run as the daemon; race measures its own).
import { fmt, table, type Report } from '../harness/report.js';
import { withReport } from '../harness/scenario.js';
import { openSession, type BenchEnv } from '../harness/session.js';
import { hotScenario } from './hot.js';
import { spreadScenario } from './spread.js';
import {
  auditProblems,
  contenderLabels,
  measureWorkload,
  workloadFigures,
  workloadFixture,
  type ContenderResult,
  type WorkloadFlags,
  type WorkloadOptions,
} from './throughput.js';

export async function runBaseline(env: BenchEnv, flags: Omit<WorkloadFlags, 'contenders' | 'auctions'> & { spreadAuctions?: number }): Promise<Report> {
  const pick = <K extends keyof WorkloadOptions>(k: K, d: WorkloadOptions[K]) => (flags[k as keyof typeof flags] as WorkloadOptions[K] | undefined) ?? d;
  const workloads: WorkloadOptions[] = [hotScenario, spreadScenario].map((def) => ({
    ...def.defaults,
    name: def.scenario,
    auctions: def.scenario === 'spread' ? (flags.spreadAuctions ?? def.defaults.auctions) : 1,
    bidders: pick('bidders', def.defaults.bidders),
    concurrency: pick('concurrency', def.defaults.concurrency),
    durationSec: pick('durationSec', def.defaults.durationSec),
    maxBids: pick('maxBids', def.defaults.maxBids),
    maxShare: pick('maxShare', def.defaults.maxShare),
    contenders: ['statements', 'function'],
  }));
  return withReport('baseline', env, { workloads }, async () => {
    // The daemon only applies the schema and makes the users and auctions here.
    const s = await openSession(env);
    try {
      const all: { name: string; results: ContenderResult[] }[] = [];
      for (const o of workloads) {
        const fx = await workloadFixture(s, o);
        all.push({ name: o.name, results: await measureWorkload(s, fx, o) });
      }
      const problems = await auditProblems(s, all.flatMap((w) => w.results));
      const rows = all.flatMap((w) =>
        w.results.map((r) => [w.name, contenderLabels[r.contender], fmt(r.acceptedPerSec), r.latency.p50Ms.toFixed(1), r.latency.p99Ms.toFixed(1), fmt(r.accepted)]),
      );
      const o = workloads[0]!;
      const markdown =
        `Straight at PostgreSQL through \`pg\`, ${o.concurrency} connections, ${o.durationSec} s each; ` +
        `hot = 1 auction, spread = ${fmt(workloads[1]!.auctions)} auctions; ${o.bidders} bidders.\n\n` +
        table(['workload', 'contender', 'accepted bids/s', 'p50 ms', 'p99 ms', 'accepted'], rows) +
        '\n';
      return {
        figures: all.flatMap((w) => workloadFigures(w.name, w.results)),
        markdown,
        problems,
        details: { workloads: all },
      };
    } finally {
      await s.close();
    }
  });
}
