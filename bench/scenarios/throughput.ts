// The measured core of `hot`, `spread` and `baseline`: one workload (one hot
// auction, or bids spread over many) fired by several contenders in turn at
// the same database with the same concurrency, each for the same time.
import { loadavg } from 'node:os';
import { sparklineText } from '../charts/sparkline.js';
import { contendersChart } from '../charts/specs.js';
import { spawnBenchDaemon, type BenchDaemon } from '../harness/daemons.js';
import { AUCTION, BALANCE, makeFixture, type Fixture } from '../harness/fixtures.js';
import { fmt, round1, round2, table, targetsTable, type Figure, type Report, type ReportChart, type Target } from '../harness/report.js';
import { stripUndefined, withReport } from '../harness/scenario.js';
import { openSession, type BenchEnv, type Session } from '../harness/session.js';
import { runSqlLoad } from '../load-gen/baseline-sql.js';
import { runBidLoad } from '../load-gen/http-bids.js';
import { runSocketBidLoad } from '../load-gen/socket-bids.js';
import { refusedText, type BidLoadResult } from '../load-gen/tally.js';
import { BidStream } from '../load-gen/workload.js';
import { startCpuMeter, type CpuUse } from '../measure/cpu.js';
import { batchSizesBetween, scrapeMetrics, type BatchSizes } from '../measure/daemon-metrics.js';
import type { LatencySummary } from '../measure/histogram.js';

export type Contender = 'statements' | 'function' | 'daemon' | 'daemon-ws' | 'daemon-per-auction';

export const contenderLabels: Record<Contender, string> = {
  statements: '(a) SQL statement by statement, 1 bid/tx',
  function: '(b) SQL nb_place_bids call, 1 bid/tx',
  daemon: 'daemon over HTTP, group commit',
  'daemon-ws': 'daemon over WebSocket, group commit',
  'daemon-per-auction': 'daemon, one auction per transaction',
};

const isDaemon = (c: Contender) => c === 'daemon' || c === 'daemon-ws' || c === 'daemon-per-auction';

/** The environment that turns the daemon's cross-auction batching off (see src/daemon/rules/bid-queue.ts). */
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
  /** The share of bids sent as maximum bids {max} (0 to 1; the statement-by-statement baseline places them as plain bids). */
  maxShare: number;
  contenders: Contender[];
}

/** Half the bids are maxima unless --max-share says otherwise, as on the auction sites people know. */
export const DEFAULT_MAX_SHARE = 0.5;

export interface ContenderResult {
  contender: Contender;
  acceptedPerSec: number;
  accepted: number;
  answered: number;
  refused: Record<string, number>;
  transportErrors: number;
  elapsedSec: number;
  latency: LatencySummary;
  /** Accepted bids in each second of the phase (the sparkline). */
  acceptedEachSecond: number[];
  /** Daemon only: the group-commit batches made during the phase. */
  batches?: BatchSizes;
  /** Daemon only: CPU the daemon process used per second of the phase (100 = one core). */
  daemonCpuPercent?: number;
  /**
   * CPU milliseconds per accepted bid of everything the phase ran: PostgreSQL
   * (when the bench started it), the daemon if any, and the bench's own load
   * generator or SQL client (see measure/cpu.ts).
   */
  cpuMsPerBid?: number;
}

/** Bidders rich enough never to run out, a seller, and the auctions. */
export async function workloadFixture(s: Session, o: Pick<WorkloadOptions, 'name' | 'auctions' | 'bidders'>): Promise<Fixture> {
  s.env.progress.step(`creating ${o.bidders} bidders and ${o.auctions} auction${o.auctions > 1 ? 's' : ''}`);
  return makeFixture(s.admin, s.daemons[0]!.url, { name: o.name, bidders: o.bidders, balance: BALANCE, auctions: o.auctions, auction: AUCTION });
}

/** What one contender's phase measured, besides its bids. */
interface Measured {
  r: BidLoadResult;
  cpu: CpuUse | undefined;
  batches?: BatchSizes;
}

// A daemon contender: warmed up for a second, then measured with its CPU and its batch sizes.
async function measureDaemon(s: Session, o: WorkloadOptions, fx: Fixture, contender: Contender, stream: BidStream): Promise<Measured> {
  let extra: BenchDaemon | undefined;
  if (contender === 'daemon-per-auction') {
    s.env.progress.step(`${o.name}: starting a daemon with cross-auction batching off`);
    extra = await spawnBenchDaemon({ databaseUrl: s.env.databaseUrl, adminToken: s.daemons[0]!.adminToken, env: PER_AUCTION_ENV });
  }
  const daemon = extra ?? s.daemons[0]!;
  // Over HTTP, or over the socket: one bidder per socket, each with one bid in flight.
  const fire = (limits: { durationMs: number; maxBids: number; onTick?: ReturnType<typeof s.env.progress.ticker> }) =>
    contender === 'daemon-ws'
      ? runSocketBidLoad({ url: daemon.url, connections: o.concurrency, tokens: fx.bidders.map((b) => b.token), next: () => stream.next(), ...limits })
      : runBidLoad({ url: daemon.url, connections: o.concurrency, next: () => stream.nextShot(), ...limits });
  // Warm-up: JIT, connection pool, token cache; not measured.
  s.env.progress.step(`${o.name}: warming the daemon up (1 s)`);
  await fire({ durationMs: 1000, maxBids: 100_000 });
  s.env.progress.step(`${o.name}: ${contenderLabels[contender]}, ${o.concurrency} ${contender === 'daemon-ws' ? 'sockets' : 'connections'}, ${o.durationSec} s`);
  const before = await scrapeMetrics(daemon.url);
  const meter = await startCpuMeter({ daemon: daemon.pid, server: s.env.serverPid });
  const r = await fire({ durationMs: o.durationSec * 1000, maxBids: o.maxBids, onTick: s.env.progress.ticker(contender) });
  const cpu = await meter.stop();
  const batches = batchSizesBetween(before, await scrapeMetrics(daemon.url));
  await extra?.stop();
  return { r, cpu, batches };
}

// A raw-SQL contender; its CPU is read before its connections close (see measure/cpu.ts).
async function measureSql(s: Session, o: WorkloadOptions, contender: 'statements' | 'function', stream: BidStream): Promise<Measured> {
  s.env.progress.step(`${o.name}: ${contenderLabels[contender]}, ${o.concurrency} connections, ${o.durationSec} s`);
  const meter = await startCpuMeter({ server: s.env.serverPid });
  let cpu: CpuUse | undefined;
  const r = await runSqlLoad({
    url: s.env.databaseUrl, mode: contender, connections: o.concurrency, durationMs: o.durationSec * 1000, maxBids: o.maxBids,
    next: () => stream.nextSql(),
    onTick: s.env.progress.ticker(contender),
    onDone: async () => {
      cpu = await meter.stop();
    },
  });
  return { r, cpu };
}

function contenderResult(contender: Contender, { r, cpu, batches }: Measured): ContenderResult {
  const elapsedSec = r.elapsedMs / 1000;
  return {
    contender,
    acceptedPerSec: Math.round(r.accepted / elapsedSec),
    accepted: r.accepted,
    answered: r.latency.summary().count,
    refused: r.refused,
    transportErrors: r.transportErrors,
    elapsedSec: round1(elapsedSec),
    latency: r.latency.summary(),
    acceptedEachSecond: r.acceptedEachSecond,
    ...(batches ? { batches } : {}),
    ...(cpu?.daemon !== undefined ? { daemonCpuPercent: Math.round((cpu.daemon / elapsedSec) * 100) } : {}),
    ...(cpu && r.accepted > 0 ? { cpuMsPerBid: Math.round((cpu.total / r.accepted) * 1e5) / 100 } : {}),
  };
}

/** Runs every contender in turn on the same auctions; amounts keep rising across them. */
export async function measureWorkload(s: Session, fx: Fixture, o: WorkloadOptions): Promise<ContenderResult[]> {
  const stream = new BidStream(fx, AUCTION, o.maxShare);
  const results: ContenderResult[] = [];
  for (const contender of o.contenders) {
    const measured = isDaemon(contender)
      ? await measureDaemon(s, o, fx, contender, stream)
      : await measureSql(s, o, contender as 'statements' | 'function', stream);
    s.env.progress.end();
    results.push(contenderResult(contender, measured));
  }
  return results;
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

/** Each contender's accepted bids, second by second. */
export function sparklines(results: ContenderResult[]): string {
  return `Accepted bids per second, each second of each contender:\n\n${results.map((r) => `- ${contenderLabels[r.contender]}: ${sparklineText(r.acceptedEachSecond)}`).join('\n')}`;
}

/** The contenders side by side as a chart: accepted bids/s and p99. */
export function contendersChartOf(o: WorkloadOptions, results: ContenderResult[], loadAtStart: number): ReportChart {
  const bars = results.map((r) => ({ contender: contenderLabels[r.contender], acceptedPerSec: r.acceptedPerSec, p99Ms: r.latency.p99Ms }));
  const what = o.auctions === 1 ? 'one hot auction' : `bids spread over ${fmt(o.auctions)} auctions`;
  return contendersChart(bars, {
    title: `bench ${o.name}: ${what}, the contenders side by side`,
    subtitle: [
      `${o.bidders} bidders, ${o.concurrency} connections, ${o.durationSec} s each; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      `everything on the same 2 cores; machine load (1 min) ${loadAtStart} at the start`,
    ],
  });
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
  // Bids over the socket against bids over HTTP, same daemon, same workload.
  const ws = results.find((r) => r.contender === 'daemon-ws');
  if (d && ws && d.acceptedPerSec > 0) {
    figures.push({ key: `${name}.ratio.daemon-ws/daemon`, value: Math.round((ws.acceptedPerSec / d.acceptedPerSec) * 100) / 100, unit: '×', higherIsBetter: true });
  }
  return figures;
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
    const loadAtStart = round2(loadavg()[0]!);
    const s = await openSession(env);
    try {
      const fx = await workloadFixture(s, o);
      const results = await measureWorkload(s, fx, o);
      const problems = await auditProblems(s, results);
      const figures = workloadFigures(o.name, results);
      const targets = targetsTable(def.targets, figures);
      const d = results.find((r) => r.contender === 'daemon');
      const markdown = [
        `${o.auctions === 1 ? 'One hot auction' : `Bids spread uniformly over ${fmt(o.auctions)} auctions`}, ` +
          `${o.bidders} bidders, ${o.concurrency} concurrent connections per contender, ${o.durationSec} s each, ` +
          `${Math.round(o.maxShare * 100)}% of the bids maximum bids (placed as plain bids by (a))` +
          (d?.daemonCpuPercent !== undefined ? `; the daemon process used ${d.daemonCpuPercent}% CPU during its phase (100% = one core)` : '') + '. ' +
          'CPU ms/bid: PostgreSQL, the daemon and the bench\'s own client together, per accepted bid.',
        resultsTable(results),
        sparklines(results),
        ...(d?.batches ? [batchTable(results)] : []),
        ...((['statements', 'function', 'daemon'] as const).every((c) => o.contenders.includes(c)) ? [targets.markdown] : []),
      ].join('\n\n');
      const charts = [contendersChartOf(o, results, loadAtStart)];
      return { figures, markdown: `${markdown}\n`, problems, details: { results }, charts };
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
