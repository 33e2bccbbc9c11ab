// One phase of the load scenario, in one socket mode (and for the open loop at
// one rate), on a fresh daemon: warm it up, open the watchers' sockets, fire
// bids while they watch (autocannon's closed loop, or the open loop at a
// fixed rate, load-gen/open-loop.ts, over HTTP or the bidders' sockets), wait
// until every watcher has every event, then check the deliveries against the
// outbox and put the figures together (memory, CPU, what the daemon's metrics
// saw, PostgreSQL's connections).
import { loadavg } from 'node:os';
import type pg from 'pg';
import { HttpClient } from '../../src/client/http-client.js';
import { spawnBenchDaemon, type BenchDaemon } from '../harness/daemons.js';
import type { Fixture } from '../harness/fixtures.js';
import { fmt, round1, round2 } from '../harness/report.js';
import type { BenchEnv } from '../harness/session.js';
import { runCannon } from '../load-gen/autocannon-bids.js';
import { bidConnector } from '../load-gen/http-bids.js';
import { runOpenLoop, type OpenLoopResult } from '../load-gen/open-loop.js';
import { bidderSockets } from '../load-gen/socket-bids.js';
import type { BidLoadResult } from '../load-gen/tally.js';
import type { BidStream } from '../load-gen/workload.js';
import { cpuSeconds, treeCpuSeconds } from '../measure/cpu.js';
import { batchSizesBetween, gcBetween, histogramBetween, metricTotal, scrapeMetrics } from '../measure/daemon-metrics.js';
import { memoryOf, pgConnections, startSampler, type PgConnections } from '../measure/process-stats.js';
import { startWatchers, watcherProcessesFor, type Deliveries, type WatcherPool } from '../watchers/pool.js';
import type { SocketSpec } from '../watchers/watcher-protocol.js';
import { checkOutbox, runEvents, settledVersions, versionsOf, type OutboxEvent } from './load-outbox.js';
import type { BidFigures, CpuFigures, DeliveryFigures, InsideFigures, LoadOptions, MemoryFigures, OpenLoopFigures, PhaseResult, SocketMode } from './load-types.js';

/** What every phase of a run shares: the run's options, its fixture, one bid stream and a database client. */
export interface PhaseSetup {
  env: BenchEnv;
  o: LoadOptions;
  fx: Fixture;
  /** The admin token of the fixture's daemon, which each phase's daemon is started with. */
  adminToken: string;
  stream: BidStream;
  c: pg.Client;
}

/** The auctions user u watches: `perUser` distinct ones, picked by a generator seeded with u. */
export function watchList(u: number, auctions: readonly number[], perUser: number): number[] {
  const pool = [...auctions];
  let x = (u + 1) * 0x9e3779b1 >>> 0 || 1;
  const random = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
  const n = Math.min(perUser, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n).sort((a, b) => a - b);
}

function socketSpecs(mode: SocketMode, users: number, fx: Fixture, perUser: number): SocketSpec[] {
  const specs: SocketSpec[] = [];
  for (let u = 0; u < users; u++) {
    const list = watchList(u, fx.auctions, perUser);
    if (mode === 'multiplexed') specs.push({ auctions: list });
    else for (const a of list) specs.push({ auctions: [a] });
  }
  return specs;
}

/** A bid load's figures; `loadAtStart` is the machine's 1-minute load average when it started. */
export function bidFigures(r: BidLoadResult | OpenLoopResult, loadAtStart: number): BidFigures {
  const elapsedSec = r.elapsedMs / 1000;
  return {
    load: [loadAtStart, round2(loadavg()[0]!)],
    acceptedPerSec: Math.round(r.accepted / elapsedSec),
    accepted: r.accepted,
    refused: r.refused,
    transportErrors: r.transportErrors,
    elapsedSec: round1(elapsedSec),
    latency: r.latency.summary(),
    acceptedEachSecond: r.acceptedEachSecond,
    ...('offeredPerSec' in r ? { openLoop: openLoopFigures(r, elapsedSec) } : {}),
  };
}

function openLoopFigures(r: OpenLoopResult, elapsedSec: number): OpenLoopFigures {
  const lag = r.sendLag.summary();
  return {
    offeredPerSec: r.offeredPerSec,
    answeredPerSec: Math.round(r.latency.summary().count / elapsedSec),
    slots: r.slots,
    fromWrite: r.fromWrite.summary(),
    late: r.late,
    lateP99Ms: lag.p99Ms,
    lateMaxMs: lag.maxMs,
    dropped: r.dropped,
    unanswered: r.unanswered,
    peakConnections: r.peakConnections,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssOf = async (pid: number) => (await memoryOf(pid))?.rss ?? NaN;

/** Raises the stream to every auction's minimum next bid, so the next phase's bids start valid. */
async function resync(c: pg.Client, stream: BidStream, auctions: number[]): Promise<void> {
  const r = await c.query<{ id: string; next: string }>(
    `SELECT id, coalesce(current_price + min_increment, start_price) AS next FROM auctions WHERE id = ANY ($1::bigint[])`,
    [auctions],
  );
  for (const row of r.rows) stream.atLeast(Number(row.id), Number(row.next));
}

// A second of bids with no watchers (JIT, pools, caches), then the daemon's memory before any socket.
async function warmUp(ph: PhaseSetup, label: string, daemon: BenchDaemon): Promise<number> {
  await resync(ph.c, ph.stream, ph.fx.auctions);
  ph.env.progress.step(`${label}: warming the daemon up (1 s of bids, no watchers)`);
  const connections = Math.min(ph.o.concurrency, 100);
  await runCannon({ url: daemon.url, connections, durationMs: 1000, maxBids: 100_000, next: () => ph.stream.nextShot() });
  await sleep(1000);
  return rssOf(daemon.pid);
}

/** The daemon at rest with every socket open and subscribed. */
interface Watched {
  openSec: number;
  /** The daemon's metrics once every watcher had its snapshots. */
  metricsReady: string;
  withSockets: number;
  /** Each auction's version before the bids. */
  starts: Map<number, number>;
}

// The watchers open their sockets and subscribe; the daemon's memory with them, idle.
async function openWatchers(ph: PhaseSetup, daemon: BenchDaemon, pool: WatcherPool, openStarted: number): Promise<Watched> {
  const openSec = round1((performance.now() - openStarted) / 1000);
  const metricsReady = await scrapeMetrics(daemon.url);
  await sleep(1000);
  const withSockets = await rssOf(daemon.pid);
  return { openSec, metricsReady, withSockets, starts: await versionsOf(ph.c, ph.fx.auctions) };
}

/** CPU seconds so far of the daemon, the PostgreSQL server with its backends, and the watcher processes. */
interface CpuSample {
  daemon: number;
  postgres: number | undefined;
  watchers: number;
}

async function cpuSample(env: BenchEnv, daemon: BenchDaemon, pool: WatcherPool): Promise<CpuSample> {
  return {
    daemon: (await cpuSeconds(daemon.pid)) ?? NaN,
    postgres: env.serverPid === undefined ? undefined : await treeCpuSeconds(env.serverPid),
    watchers: (await Promise.all(pool.pids.map((pid) => cpuSeconds(pid)))).reduce<number>((s, x) => s + (x ?? NaN), 0),
  };
}

/** What the measured stretch of a phase saw: the bids, the deliveries, and the samples taken meanwhile. */
interface Measured {
  bids: BidLoadResult | OpenLoopResult;
  machineLoad: number;
  loadStartedAt: number;
  d: Deliveries;
  events: OutboxEvent[];
  windowSec: number;
  /** This process's CPU over the window (autocannon runs here). */
  self: NodeJS.CpuUsage;
  cpu0: CpuSample;
  cpu1: CpuSample;
  rssSamples: number[];
  connSamples: PgConnections[];
  mBefore: string;
  mAfter: string;
}

/** Connections the open loop opens before its first bid: enough for its rate at 50 ms a bid, at least 8. */
const openLoopConnections = (rate: number, cap: number) => Math.min(cap, Math.max(8, Math.ceil(rate / 20)));

/** Seconds of bids at the open loop's rate, watched but not measured, before its measured run (wrk2's calibration). */
export const WATCHED_WARM_UP_SEC = 2;

type FireBids = () => Promise<BidLoadResult | OpenLoopResult>;

/**
 * The run's bids, ready to fire: autocannon's closed loop, or the open loop at
 * `rate` — over HTTP connections it opens as it goes, or over every bidder's
 * WebSocket, opened and welcomed here, before its clock (and the CPU window) starts.
 */
async function readyBids(ph: PhaseSetup, label: string, daemon: BenchDaemon, rate: number | undefined, durationSec = ph.o.durationSec): Promise<FireBids> {
  const { o, env } = ph;
  const limits = { durationMs: durationSec * 1000, maxBids: o.maxBids, next: () => ph.stream.nextShot(), onTick: env.progress.ticker(label) };
  if (rate === undefined) return () => runCannon({ url: daemon.url, connections: o.concurrency, ...limits });
  // Bids still waiting for a connection when the slots end get this long to go (bounded: then they are dropped).
  const loop = { ...limits, rate, drainMs: Math.min(30_000, Math.max(5_000, limits.durationMs)) };
  if (o.bidsOver === 'http') {
    return () => runOpenLoop({ ...loop, connections: openLoopConnections(rate, o.concurrency), maxConnections: o.concurrency, connect: bidConnector(daemon.url) });
  }
  const sockets = await bidderSockets(daemon.url, ph.fx.bidders.map((b) => b.token));
  return () => runOpenLoop({ ...loop, connections: 1, maxConnections: 1, connect: (ready) => ready(sockets) });
}

/**
 * The open loop's first seconds with the sockets watching (the fan-out's first
 * runs, buffers and connections being made), not measured: the measured run
 * then starts from a daemon already at the rate. Returns each auction's
 * version after it, from which the measured run's events count.
 */
async function warmUpWatched(ph: PhaseSetup, label: string, daemon: BenchDaemon, pool: WatcherPool, rate: number): Promise<Map<number, number>> {
  ph.env.progress.step(`${label}: ${WATCHED_WARM_UP_SEC} s of bids at the rate while they watch (not measured)`);
  await (await readyBids(ph, `${label} (warm-up)`, daemon, rate, WATCHED_WARM_UP_SEC))();
  ph.env.progress.end();
  const finals = await settledVersions(ph.c, ph.fx.auctions);
  await pool.settle(finals, 60_000);
  return finals;
}

// The bids for the run's duration while the sockets watch, then the wait until every watcher has every event.
async function bidWhileWatched(ph: PhaseSetup, label: string, daemon: BenchDaemon, pool: WatcherPool, starts: Map<number, number>, rate: number | undefined): Promise<Measured> {
  const { env, c } = ph;
  const fire = await readyBids(ph, label, daemon, rate);
  const rss = startSampler(200, async () => (await memoryOf(daemon.pid))?.rss);
  const conns = startSampler(250, () => pgConnections(c));
  const mBefore = await scrapeMetrics(daemon.url);
  const cpu0 = await cpuSample(env, daemon, pool);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const loadStartedAt = Date.now();
  const machineLoad = round2(loadavg()[0]!);
  const bids = await fire();
  env.progress.end();
  env.progress.step(`${label}: waiting for every watcher to have every event`);
  const finals = await settledVersions(c, ph.fx.auctions);
  // Read once, before the watchers report: they need the commit times, the outbox check their report.
  const { events, commits } = await runEvents(c, starts, finals);
  const d = await pool.finish(finals, commits, 60_000);
  const windowSec = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  const cpu1 = await cpuSample(env, daemon, pool);
  const rssSamples = await rss.stop();
  const connSamples = await conns.stop();
  const mAfter = await scrapeMetrics(daemon.url);
  return { bids, machineLoad, loadStartedAt, d, events, windowSec, self, cpu0, cpu1, rssSamples, connSamples, mBefore, mAfter };
}

/**
 * Runs one phase on a fresh daemon and stops it (and the watchers) whatever
 * happens: the closed loop, or with `rate` the open loop at that many bids/s.
 */
export async function runPhase(ph: PhaseSetup, mode: SocketMode, rate?: number): Promise<PhaseResult> {
  const { env, o } = ph;
  const users = mode === 'multiplexed' ? o.users : o.perAuctionUsers;
  const specs = socketSpecs(mode, users, ph.fx, o.perUser);
  const processes = watcherProcessesFor(specs.length, o.watcherProcesses);
  const label = rate === undefined ? mode : `${mode} at ${fmt(rate)} bids/s`;
  env.progress.step(`${label}: starting a fresh daemon`);
  const daemon: BenchDaemon = await spawnBenchDaemon({ databaseUrl: env.databaseUrl, adminToken: ph.adminToken });
  let pool: WatcherPool | undefined;
  try {
    const beforeSockets = await warmUp(ph, label, daemon);
    env.progress.step(`${label}: ${fmt(users)} users open ${fmt(specs.length)} WebSockets (${processes} watcher processes) and subscribe`);
    const openStarted = performance.now();
    pool = await startWatchers({ url: daemon.url, sockets: specs, processes, parallel: 32, timeoutMs: 120_000 });
    const watched = await openWatchers(ph, daemon, pool, openStarted);
    const starts = rate === undefined ? watched.starts : await warmUpWatched(ph, label, daemon, pool, rate);
    const over = o.bidsOver === 'ws' ? `over ${fmt(ph.fx.bidders.length)} bidders' WebSockets` : `on up to ${o.concurrency} connections`;
    const how = rate === undefined ? `autocannon, ${o.concurrency} connections` : `open loop, ${fmt(rate)} bids/s ${over}`;
    env.progress.step(`${label}: ${how}, ${o.durationSec} s, while ${fmt(specs.length)} sockets watch`);
    const m = await bidWhileWatched(ph, label, daemon, pool, starts, rate);
    env.progress.step(`${label}: checking the deliveries against the outbox`);
    const outbox = checkOutbox(m.events, m.d);
    const audit = await new HttpClient({ url: daemon.url, token: ph.adminToken }).audit();
    await pool.close();
    pool = undefined;
    return phaseResult({ mode, rate, users, processes, beforeSockets, watched, m, outbox, auditViolations: audit.violations.length });
  } finally {
    await pool?.close();
    await daemon.stop();
  }
}

interface PhaseFindings {
  mode: SocketMode;
  rate: number | undefined;
  users: number;
  processes: number;
  beforeSockets: number;
  watched: Watched;
  m: Measured;
  outbox: ReturnType<typeof checkOutbox>;
  auditViolations: number;
}

function phaseResult(p: PhaseFindings): PhaseResult {
  const { m, watched } = p;
  const deliverySec = m.d.lastDeliveryAt > 0 ? (m.d.lastDeliveryAt - m.loadStartedAt) / 1000 : m.windowSec;
  const bids = bidFigures(m.bids, m.machineLoad);
  return {
    mode: p.mode,
    ...(p.rate === undefined ? {} : { offeredPerSec: p.rate }),
    users: p.users,
    watcherProcesses: p.processes,
    sockets: metricTotal(watched.metricsReady, 'nb_ws_sockets'),
    subscriptions: metricTotal(watched.metricsReady, 'nb_ws_subscriptions'),
    openSec: watched.openSec,
    bids,
    deliveries: deliveryFigures(m.d, p.outbox, deliverySec),
    cpu: cpuFigures(m, bids.accepted),
    memory: memoryFigures(p.beforeSockets, watched.withSockets, m.rssSamples, p.users),
    inside: insideFigures(m.mBefore, m.mAfter),
    postgres: postgresFigures(m.connSamples),
    auditViolations: p.auditViolations,
  };
}

function deliveryFigures(d: Deliveries, outbox: ReturnType<typeof checkOutbox>, deliverySec: number): DeliveryFigures {
  return {
    count: d.deliveries,
    perSec: Math.round(d.deliveries / deliverySec),
    latency: d.commitLatency?.summary() ?? null,
    fromAt: d.latency.summary(),
    beforeCommit: d.beforeCommit,
    untimed: d.untimed,
    lost: d.lost,
    duplicates: d.duplicates,
    outOfOrder: d.outOfOrder,
    mismatched: d.mismatched + outbox.mismatched,
    incomplete: d.incomplete,
    unseen: outbox.unseen,
    phantom: outbox.phantom,
    unexpected: d.unexpected,
    closes: d.closes,
  };
}

function cpuFigures(m: Measured, accepted: number): CpuFigures {
  const { cpu0, cpu1, windowSec, self, d } = m;
  const daemonCpu = cpu1.daemon - cpu0.daemon;
  return {
    windowSec: round1(windowSec),
    daemon: Math.round((daemonCpu / windowSec) * 100),
    ...(cpu0.postgres !== undefined && cpu1.postgres !== undefined ? { postgres: Math.round(((cpu1.postgres - cpu0.postgres) / windowSec) * 100) } : {}),
    watchers: Math.round(((cpu1.watchers - cpu0.watchers) / windowSec) * 100),
    generator: Math.round(((self.user + self.system) / 1e6 / windowSec) * 100),
    daemonUsPerDelivery: d.deliveries > 0 ? round1((daemonCpu * 1e6) / d.deliveries) : NaN,
    daemonUsPerBid: accepted > 0 ? Math.round((daemonCpu * 1e6) / accepted) : NaN,
    watchersUsPerDelivery: d.deliveries > 0 ? round1(((cpu1.watchers - cpu0.watchers) * 1e6) / d.deliveries) : NaN,
  };
}

function memoryFigures(beforeSockets: number, withSockets: number, rssSamples: number[], users: number): MemoryFigures {
  const peak = Math.max(withSockets, ...rssSamples);
  return {
    beforeSockets,
    withSockets,
    peak,
    perUserIdle: (withSockets - beforeSockets) / users,
    perUserPeak: (peak - beforeSockets) / users,
  };
}

function insideFigures(mBefore: string, mAfter: string): InsideFigures {
  const frames = metricTotal(mAfter, 'nb_ws_events_fanned_out_total') - metricTotal(mBefore, 'nb_ws_events_fanned_out_total');
  const writes = metricTotal(mAfter, 'nb_ws_socket_writes_total') - metricTotal(mBefore, 'nb_ws_socket_writes_total');
  const batchTime = histogramBetween(mBefore, mAfter, 'nb_bid_batch_duration_seconds');
  return {
    meanBatch: batchSizesBetween(mBefore, mAfter).mean,
    meanBatchMs: round1(batchTime.mean * 1000),
    commitToSend: histogramBetween(mBefore, mAfter, 'nb_ws_commit_to_send_seconds'),
    framesPerWrite: writes > 0 ? round1(frames / writes) : NaN,
    // The scrape before the run reset prom-client's histogram, so this covers the run.
    loopDelayP50Ms: round1(Math.max(0, metricTotal(mAfter, 'nodejs_eventloop_lag_p50_seconds') - 0.01) * 1000),
    loopDelayP99Ms: round1(Math.max(0, metricTotal(mAfter, 'nodejs_eventloop_lag_p99_seconds') - 0.01) * 1000),
    gc: gcBetween(mBefore, mAfter),
  };
}

// The sample with the most daemon connections (then the most in all), and what the daemon's backends were doing over every sample.
function postgresFigures(connSamples: PgConnections[]): PgConnections {
  const most = connSamples.reduce((best, s) => (s.daemon > best.daemon || (s.daemon === best.daemon && s.total > best.total) ? s : best), {
    total: 0, daemon: 0, byApplication: {}, daemonBusy: {},
  } as PgConnections);
  const busy: Record<string, number> = {};
  for (const sample of connSamples) for (const [k, n] of Object.entries(sample.daemonBusy)) busy[k] = (busy[k] ?? 0) + n;
  return { ...most, daemonBusy: busy };
}
