// The measured core of `hot`, `spread` and `baseline`: one workload (one hot
// auction, or bids spread over many) fired by several contenders in turn at
// the same database with the same concurrency, each for the same time.
import { batchSizesBetween, scrapeMetrics, type BatchSizes } from './daemon-metrics.js';
import { startCpuMeter, type CpuUse } from './cpu.js';
import { spawnBenchDaemon, type BenchDaemon } from './daemons.js';
import { createAuctions, createUsers, type FixtureUser } from './fixtures.js';
import type { LatencySummary } from './histogram.js';
import { runBidLoad } from './http-bids.js';
import type { BidLoadResult } from './tally.js';
import { runSqlLoad } from './baseline-sql.js';
import { fmt, round1, table, type Figure, type Report } from './report.js';
import type { Progress } from './progress.js';
import { withReport } from './scenario.js';
import { openSession, type BenchEnv, type Session } from './session.js';
import { BidStream } from './workload.js';

export type Contender = 'statements' | 'function' | 'daemon' | 'daemon-per-auction';

export const contenderLabels: Record<Contender, string> = {
  statements: '(a) SQL statement by statement, 1 bid/tx',
  function: '(b) SQL nb_place_bids call, 1 bid/tx',
  daemon: 'daemon over HTTP, group commit',
  'daemon-per-auction': 'daemon, one auction per transaction',
};

/** The environment that turns the daemon's cross-auction batching off (see bid-queue.ts). */
const PER_AUCTION_ENV = { NEIGHBORBID_CROSS_AUCTION_BATCHING: '0' };

export interface WorkloadOptions {
  /** "hot" or "spread": names the figures. */
  name: string;
  auctions: number;
  bidders: number;
  concurrency: number;
  durationSec: number;
  /** Each contender stops after this many bids even if time is left. */
  maxBids: number;
  contenders: Contender[];
}

export interface ContenderResult {
  contender: Contender;
  acceptedPerSec: number;
  accepted: number;
  answered: number;
  refused: Record<string, number>;
  transportErrors: number;
  elapsedSec: number;
  latency: LatencySummary;
  /** Daemon only: the group-commit batches made during the phase. */
  batches?: BatchSizes;
  /** Daemon only: CPU the daemon process used per second of the phase (100 = one core). */
  daemonCpuPercent?: number;
  /**
   * CPU milliseconds per accepted bid of everything the phase ran: PostgreSQL
   * (when the bench started it), the daemon if any, and the bench's own load
   * generator or SQL client (see cpu.ts).
   */
  cpuMsPerBid?: number;
}

/** Every bidder's balance: rich enough never to run out. */
export const BALANCE = 1_000_000_000_000;
/** The auctions of a workload: open a week, prices rising by 1 from 1. */
export const AUCTION = { startPrice: 1, minIncrement: 1, durationSec: 7 * 24 * 3600 };

export interface Fixture {
  bidders: FixtureUser[];
  auctions: number[];
}

/** Bidders rich enough never to run out, a seller, and the auctions. */
export async function makeFixture(s: Session, o: Pick<WorkloadOptions, 'name' | 'auctions' | 'bidders'>): Promise<Fixture> {
  s.env.progress.step(`creating ${o.bidders} bidders and ${o.auctions} auction${o.auctions > 1 ? 's' : ''}`);
  const [seller] = await createUsers(s.admin, `${o.name}-seller`, 1, 0);
  const bidders = await createUsers(s.admin, `${o.name}-bidder`, o.bidders, BALANCE);
  const auctions = await createAuctions(s.daemons[0]!.url, seller!, `${o.name} lot`, o.auctions, AUCTION);
  return { bidders, auctions };
}

/** Runs every contender in turn on the same auctions; amounts keep rising across them. */
export async function measureWorkload(s: Session, fx: Fixture, o: WorkloadOptions): Promise<ContenderResult[]> {
  const stream = new BidStream(fx.auctions, fx.bidders.length, AUCTION.startPrice, AUCTION.minIncrement);
  const results: ContenderResult[] = [];
  const limits = { durationMs: o.durationSec * 1000, maxBids: o.maxBids };
  const tick = (label: string) => progressTick(s.env.progress, label);

  for (const contender of o.contenders) {
    let r: BidLoadResult;
    let batches: BatchSizes | undefined;
    let cpu: CpuUse | undefined;
    let extra: BenchDaemon | undefined;
    if (contender === 'daemon' || contender === 'daemon-per-auction') {
      if (contender === 'daemon-per-auction') {
        s.env.progress.step(`${o.name}: starting a daemon with cross-auction batching off`);
        extra = await spawnBenchDaemon({ databaseUrl: s.env.databaseUrl, adminToken: s.daemons[0]!.adminToken, env: PER_AUCTION_ENV });
      }
      const daemon = extra ?? s.daemons[0]!;
      // Warm-up: JIT, connection pool, token cache; not measured.
      s.env.progress.step(`${o.name}: warming the daemon up (1 s)`);
      await runBidLoad({ url: daemon.url, connections: o.concurrency, durationMs: 1000, maxBids: 100_000, next: () => shot(stream, fx) });
      s.env.progress.step(`${o.name}: ${contenderLabels[contender]}, ${o.concurrency} connections, ${o.durationSec} s`);
      const before = await scrapeMetrics(daemon.url);
      const meter = await startCpuMeter({ daemon: daemon.pid, server: s.env.serverPid });
      r = await runBidLoad({
        url: daemon.url, connections: o.concurrency, ...limits,
        next: () => shot(stream, fx), onTick: tick(contender),
      });
      cpu = await meter.stop();
      batches = batchSizesBetween(before, await scrapeMetrics(daemon.url));
      await extra?.stop();
    } else {
      s.env.progress.step(`${o.name}: ${contenderLabels[contender]}, ${o.concurrency} connections, ${o.durationSec} s`);
      const meter = await startCpuMeter({ server: s.env.serverPid });
      r = await runSqlLoad({
        url: s.env.databaseUrl, mode: contender, connections: o.concurrency, ...limits,
        next: () => sqlShot(stream, fx),
        onTick: tick(contender),
        onDone: async () => {
          cpu = await meter.stop();
        },
      });
    }
    s.env.progress.end();
    const elapsedSec = r.elapsedMs / 1000;
    results.push({
      contender,
      acceptedPerSec: Math.round(r.accepted / elapsedSec),
      accepted: r.accepted,
      answered: r.latency.summary().count,
      refused: r.refused,
      transportErrors: r.transportErrors,
      elapsedSec: round1(elapsedSec),
      latency: r.latency.summary(),
      ...(batches ? { batches } : {}),
      ...(cpu?.daemon !== undefined ? { daemonCpuPercent: Math.round((cpu.daemon / elapsedSec) * 100) } : {}),
      ...(cpu && r.accepted > 0 ? { cpuMsPerBid: Math.round((cpu.total / r.accepted) * 1e5) / 100 } : {}),
    });
  }
  return results;
}

/** The stream's next bid, as sent to the daemon (with the bidder's token). */
export function shot(stream: BidStream, fx: Pick<Fixture, 'bidders'>) {
  const b = stream.next();
  return { auction: b.auction, amount: b.amount, token: fx.bidders[b.bidder]!.token };
}

/** The stream's next bid, as sent straight to PostgreSQL (with the bidder's id). */
export function sqlShot(stream: BidStream, fx: Pick<Fixture, 'bidders'>) {
  const b = stream.next();
  return { auction: b.auction, bidderId: fx.bidders[b.bidder]!.id, amount: b.amount };
}

/** A load's onTick: how far it is, on the progress line. */
export function progressTick(progress: Progress, label: string) {
  return (answered: number, accepted: number, ms: number) =>
    progress.update(`${label}: ${(ms / 1000).toFixed(1)} s, ${fmt(answered)} answered, ${fmt((accepted / ms) * 1000)} accepted/s`);
}

/** A run's refusals by code and its connection errors, e.g. "BID_TOO_LOW 12, connection errors 1", or "0". */
export function refusedText(r: Pick<ContenderResult, 'refused' | 'transportErrors'>): string {
  const parts = Object.entries(r.refused).map(([code, n]) => `${code} ${fmt(n)}`);
  if (r.transportErrors) parts.push(`connection errors ${r.transportErrors}`);
  return parts.length ? parts.join(', ') : '0';
}

/** The contenders side by side, each with the daemon's throughput as a multiple of it. */
export function resultsTable(results: ContenderResult[]): string {
  const d = results.find((r) => r.contender === 'daemon');
  const rows = results.map((r) => [
    contenderLabels[r.contender],
    fmt(r.acceptedPerSec),
    r.latency.p50Ms.toFixed(1),
    r.latency.p99Ms.toFixed(1),
    r.cpuMsPerBid === undefined ? 'n/a' : r.cpuMsPerBid.toFixed(2),
    fmt(r.accepted),
    refusedText(r),
    ...(d ? [r === d ? '—' : `${(d.acceptedPerSec / r.acceptedPerSec).toFixed(2)}×`] : []),
  ]);
  const headers = ['contender', 'accepted bids/s', 'p50 ms', 'p99 ms', 'CPU ms/bid', 'accepted', 'refused', ...(d ? ['daemon ÷ this'] : [])];
  return table(headers, rows);
}

/** The daemons' group-commit batch sizes during their phases, one column each. */
export function batchTable(results: ContenderResult[]): string {
  const withBatches = results.filter((r) => r.batches);
  const first = withBatches[0]?.batches;
  if (!first) return '';
  const rows = first.rows.map((row, i) => [row.range, ...withBatches.map((r) => fmt(r.batches!.rows[i]?.transactions ?? 0))]);
  rows.push(['mean bids per transaction', ...withBatches.map((r) => String(r.batches!.mean))]);
  return `Batch sizes (the daemon's nb_bid_batch_size_bids histogram during its phase): transactions by the number of bids they carried\n\n${table(['bids in the transaction', ...withBatches.map((r) => contenderLabels[r.contender])], rows)}`;
}

/** The figures a report keeps for comparisons. */
export function workloadFigures(name: string, results: ContenderResult[]): Figure[] {
  const figures: Figure[] = [];
  for (const r of results) {
    const k = `${name}.${r.contender}`;
    figures.push(
      { key: `${k}.acceptedPerSec`, value: r.acceptedPerSec, unit: 'bids/s', higherIsBetter: true },
      { key: `${k}.p50Ms`, value: r.latency.p50Ms, unit: 'ms', higherIsBetter: false },
      { key: `${k}.p99Ms`, value: r.latency.p99Ms, unit: 'ms', higherIsBetter: false },
    );
    if (r.batches) figures.push({ key: `${k}.meanBatch`, value: r.batches.mean, unit: 'bids', higherIsBetter: true });
    if (r.cpuMsPerBid !== undefined) figures.push({ key: `${k}.cpuMsPerBid`, value: r.cpuMsPerBid, unit: 'ms', higherIsBetter: false });
  }
  const d = results.find((r) => r.contender === 'daemon');
  for (const r of results) {
    if (d && r !== d && r.acceptedPerSec > 0) {
      figures.push({ key: `${name}.ratio.daemon/${r.contender}`, value: Math.round((d.acceptedPerSec / r.acceptedPerSec) * 100) / 100, unit: '×', higherIsBetter: true });
    }
  }
  return figures;
}

export interface Target {
  what: string;
  /** The figure's key and the bound it must reach. */
  key: string;
  atLeast?: number;
  atMost?: number;
}

/** Each target with the figure reached and whether it is met. */
export function targetsTable(targets: Target[], figures: Figure[]): { markdown: string; unmet: string[] } {
  const unmet: string[] = [];
  const rows = targets.map((t) => {
    const f = figures.find((x) => x.key === t.key);
    const met = f !== undefined && (t.atLeast === undefined || f.value >= t.atLeast) && (t.atMost === undefined || f.value <= t.atMost);
    if (!met) unmet.push(t.what);
    return [t.what, f ? `${f.value} ${f.unit}` : 'not measured', met ? 'met' : 'NOT met'];
  });
  return { markdown: table(['target (2-core machine)', 'reached', ''], rows), unmet };
}

export interface WorkloadScenario {
  scenario: string;
  /** The contenders a run has unless --only says otherwise. */
  contenders: Contender[];
  defaults: Omit<WorkloadOptions, 'name' | 'contenders'>;
  targets: Target[];
}

export type WorkloadFlags = Partial<Omit<WorkloadOptions, 'name'>>;

/** `hot` and `spread`: every contender on one workload, the daemon's ratios, its batch sizes, the audit. */
export async function runWorkloadScenario(def: WorkloadScenario, env: BenchEnv, flags: WorkloadFlags): Promise<Report> {
  const o: WorkloadOptions = { ...def.defaults, ...stripUndefined(flags), name: def.scenario, contenders: flags.contenders ?? def.contenders };
  return withReport(def.scenario, env, { ...o }, async () => {
    const s = await openSession(env);
    try {
      const fx = await makeFixture(s, o);
      const results = await measureWorkload(s, fx, o);
      const problems = await auditProblems(s, results);
      const figures = workloadFigures(o.name, results);
      const targets = targetsTable(def.targets, figures);
      const d = results.find((r) => r.contender === 'daemon');
      const markdown = [
        `${o.auctions === 1 ? 'One hot auction' : `Bids spread uniformly over ${fmt(o.auctions)} auctions`}, ` +
          `${o.bidders} bidders, ${o.concurrency} concurrent connections per contender, ${o.durationSec} s each` +
          (d?.daemonCpuPercent !== undefined ? `; the daemon process used ${d.daemonCpuPercent}% CPU during its phase (100% = one core)` : '') + '. ' +
          'CPU ms/bid: PostgreSQL, the daemon and the bench\'s own client together, per accepted bid.',
        resultsTable(results),
        ...(d?.batches ? [batchTable(results)] : []),
        ...((['statements', 'function', 'daemon'] as const).every((c) => o.contenders.includes(c)) ? [targets.markdown] : []),
      ].join('\n\n');
      return { figures, markdown: `${markdown}\n`, problems, details: { results } };
    } finally {
      await s.close();
    }
  });
}

/** The audit after a run, and failures no contender should have had. */
export async function auditProblems(s: Session, results: ContenderResult[]): Promise<string[]> {
  const problems: string[] = [];
  for (const r of results) {
    if (r.transportErrors) problems.push(`${contenderLabels[r.contender]}: ${r.transportErrors} connection/database errors`);
    for (const code of Object.keys(r.refused)) {
      if (code !== 'BID_TOO_LOW') problems.push(`${contenderLabels[r.contender]}: refused with ${code} ${r.refused[code]} times`);
    }
  }
  s.env.progress.step('auditing the database');
  const audit = await s.admin.audit();
  if (!audit.ok) problems.push(`audit: ${audit.violations.length} violations, e.g. ${audit.violations[0]?.message}`);
  return problems;
}

/** The flags that were given: those left undefined are dropped, so that the defaults stand. */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
