// `bench load`: a crowd watching while bids pour in. U users (default 1,000)
// each hold ONE WebSocket subscribed to 20 of 100 open auctions, while
// autocannon fires bids over HTTP (C connections, T seconds, rising amounts
// on a random auction). It reports the daemon's accepted bids/s beside the
// same bid transaction fired straight at PostgreSQL (baseline-sql.ts, same
// auctions, same concurrency), the bid latency, the commit-to-watcher latency
// of every delivery, and checks every delivery against the outbox: each
// watcher must get exactly the committed events of its auctions, in version
// order. With `--sockets per-auction` it runs again with one socket per
// (user, auction) and prints the two side by side: connections, the daemon's
// memory and CPU, and the cost per user.
import { loadavg } from 'node:os';
import pg from 'pg';
import { runCannon } from './autocannon-bids.js';
import { runSqlLoad } from './baseline-sql.js';
import { cpuSeconds, treeCpuSeconds } from './cpu.js';
import { batchSizesBetween, histogramBetween, metricTotal, scrapeMetrics, type HistogramDelta } from './daemon-metrics.js';
import { NO_LIMIT_ARGS, spawnBenchDaemon, type BenchDaemon } from './daemons.js';
import { createAuctions, createUsers, type FixtureUser } from './fixtures.js';
import type { LatencySummary } from './histogram.js';
import { connectClient } from './pg-client.js';
import { memoryOf, pgConnections, startSampler, type PgConnections } from './process-stats.js';
import { fmt, round1, round2, type Report } from './report.js';
import { figuresOf, markdownOf, phaseProblems, type Baselines } from './load-report.js';
import { withReport } from './scenario.js';
import type { BenchEnv } from './session.js';
import type { BidLoadResult } from './tally.js';
import { AUCTION, BALANCE, progressTick, shot, sqlShot, stripUndefined } from './throughput.js';
import { startWatchers, type Deliveries } from './watchers.js';
import type { SocketSpec } from './watcher-protocol.js';
import { BidStream } from './workload.js';
import { HttpClient } from '../src/client/http-client.js';

export type SocketMode = 'multiplexed' | 'per-auction';

export interface LoadOptions {
  /** Watching users of the multiplexed run: one socket each. */
  users: number;
  /** Auctions each user watches. */
  perUser: number;
  /** Open auctions the bids go to and the users watch. */
  auctions: number;
  /** Concurrent HTTP connections firing bids (and of the SQL baselines). */
  concurrency: number;
  durationSec: number;
  /** Users whose tokens the bids are sent with. */
  bidders: number;
  maxBids: number;
  /** multiplexed, or per-auction: the multiplexed run and then one socket per (user, auction). */
  sockets: SocketMode;
  /** Users of the per-auction run (each with `perUser` sockets). */
  perAuctionUsers: number;
  /** Child processes the watchers' sockets are spread over. */
  watcherProcesses: number;
  /** Measure the SQL baselines (for the ratio); off only to look at the daemon alone. */
  baseline: boolean;
}

export const loadDefaults: LoadOptions = {
  users: 1000,
  perUser: 20,
  auctions: 100,
  concurrency: 100,
  durationSec: 30,
  bidders: 200,
  maxBids: 10_000_000,
  sockets: 'multiplexed',
  perAuctionUsers: 500,
  watcherProcesses: 2,
  baseline: true,
};

/** Sockets one process may hold open (with its other files) on the reference machine: 20,000 open files. */
export const SOCKETS_PER_PROCESS = 18_000;

interface Fixture {
  bidders: FixtureUser[];
  auctions: number[];
  adminToken: string;
}

export interface BidFigures {
  acceptedPerSec: number;
  accepted: number;
  refused: Record<string, number>;
  transportErrors: number;
  elapsedSec: number;
  latency: LatencySummary;
  /** The machine's 1-minute load average when this run started and ended (other work shows here). */
  load: [start: number, end: number];
}

export interface PhaseResult {
  mode: SocketMode;
  users: number;
  /** WebSockets open at the daemon (its nb_ws_sockets) once every watcher was subscribed. */
  sockets: number;
  subscriptions: number;
  openSec: number;
  bids: BidFigures;
  deliveries: {
    count: number;
    perSec: number;
    /** Commit-to-watcher: the commit timestamp of the event's transaction (PostgreSQL's) to arrival; null when the server keeps none. */
    latency: LatencySummary | null;
    /** The event's `at` (when the bid took effect, inside its transaction) to arrival. */
    fromAt: LatencySummary;
    /** Deliveries that arrived before their commit timestamp (must be 0). */
    beforeCommit: number;
    /** Deliveries not timed against a commit (none when the server keeps commit timestamps). */
    untimed: number;
    lost: number;
    duplicates: number;
    outOfOrder: number;
    /** Copies of one (auction, version) that differed, or that differ from the outbox. */
    mismatched: number;
    /** Streams short of their auction's last version when the wait ended. */
    incomplete: number;
    /** Committed events (in the outbox) that no watcher received. */
    unseen: number;
    /** Events received that the outbox does not hold. */
    phantom: number;
    unexpected: Record<string, number>;
    closes: Record<string, number>;
  };
  cpu: {
    /** Seconds from the first bid until every watcher had every event. */
    windowSec: number;
    /** Percent of one core over the window. */
    daemon: number;
    postgres?: number;
    watchers: number;
    generator: number;
    daemonUsPerDelivery: number;
    daemonUsPerBid: number;
  };
  memory: { beforeSockets: number; withSockets: number; peak: number; perUserIdle: number; perUserPeak: number };
  /** From the daemon's metrics over the run. */
  inside: {
    meanBatch: number;
    meanBatchMs: number;
    /** From an event's `at` to its frame being handed to the sockets (bucket bounds, seconds). */
    commitToSend: HistogramDelta;
    /** Frames per coalesced socket write (NaN on a daemon that does not count its writes). */
    framesPerWrite: number;
    /** The daemon's event-loop delay over the run (prom-client's, less its 10 ms sampling interval), ms. */
    loopDelayP50Ms: number;
    loopDelayP99Ms: number;
  };
  postgres: PgConnections;
  auditViolations: number;
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

function bidFigures(r: BidLoadResult, loadAtStart: number): BidFigures {
  const elapsedSec = r.elapsedMs / 1000;
  return {
    load: [loadAtStart, round2(loadavg()[0]!)],
    acceptedPerSec: Math.round(r.accepted / elapsedSec),
    accepted: r.accepted,
    refused: r.refused,
    transportErrors: r.transportErrors,
    elapsedSec: round1(elapsedSec),
    latency: r.latency.summary(),
  };
}

async function versionsOf(c: pg.Client, auctions: number[]): Promise<Map<number, number>> {
  const r = await c.query<{ id: string; version: string }>('SELECT id, version FROM auctions WHERE id = ANY ($1::bigint[])', [auctions]);
  return new Map(r.rows.map((row) => [Number(row.id), Number(row.version)]));
}

/** Reads the auctions' versions until two reads 300 ms apart agree (bids in flight have landed); bounded. */
async function settledVersions(c: pg.Client, auctions: number[]): Promise<Map<number, number>> {
  let last = await versionsOf(c, auctions);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await versionsOf(c, auctions);
    if ([...now].every(([a, v]) => last.get(a) === v)) return now;
    last = now;
  }
  return last;
}

/** One event of the run in the outbox, with its bid id (or its type when not a bid). */
interface OutboxEvent {
  auction: number;
  version: number;
  signature: number | string;
}

/**
 * The events of the run (after `starts`, up to `finals`), read once, and when
 * each committed (epoch ms): from PostgreSQL's commit timestamps (the bench's
 * embedded server runs with track_commit_timestamp on; another server may
 * not: then `commits` is null, and deliveries are timed from `at` only).
 */
async function runEvents(c: pg.Client, starts: Map<number, number>, finals: Map<number, number>) {
  const on = await c.query<{ v: string }>("SELECT current_setting('track_commit_timestamp') AS v");
  const timed = on.rows[0]?.v === 'on';
  const commitMs = timed ? 'extract(epoch FROM pg_xact_commit_timestamp(xmin))::float8 * 1000' : 'NULL::float8';
  const r = await c.query<{ a: string; v: string; type: string; bid: string | null; ms: number | null }>(
    `SELECT auction_id AS a, version AS v, type, payload->>'bidId' AS bid, ${commitMs} AS ms FROM events
      WHERE auction_id = ANY ($1::bigint[]) AND version > $2`,
    [[...starts.keys()], Math.min(...starts.values())],
  );
  const events: OutboxEvent[] = [];
  const commits: [auction: number, version: number, ms: number][] | null = timed ? [] : null;
  for (const row of r.rows) {
    const auction = Number(row.a);
    const version = Number(row.v);
    if (version <= starts.get(auction)! || version > finals.get(auction)!) continue;
    events.push({ auction, version, signature: row.bid === null ? row.type : Number(row.bid) });
    if (row.ms !== null) commits?.push([auction, version, row.ms]);
  }
  return { events, commits };
}

/** Compares what the watchers received with the outbox: every committed event seen, as committed, nothing else. */
function checkOutbox(events: OutboxEvent[], d: Deliveries) {
  const outbox = new Map<number, Map<number, number | string>>();
  for (const e of events) {
    let m = outbox.get(e.auction);
    if (!m) outbox.set(e.auction, (m = new Map()));
    m.set(e.version, e.signature);
  }
  let unseen = 0;
  let mismatched = 0;
  let phantom = 0;
  for (const [a, versions] of outbox) {
    const seen = d.seen.get(a);
    for (const [v, sig] of versions) {
      const got = seen?.get(v);
      if (got === undefined) unseen++;
      else if (got !== sig) mismatched++;
    }
  }
  for (const [a, seen] of d.seen) for (const v of seen.keys()) if (!outbox.get(a)?.has(v)) phantom++;
  return { unseen, mismatched, phantom };
}

async function makeFixture(env: BenchEnv, o: LoadOptions): Promise<Fixture> {
  env.progress.step(`creating ${o.bidders} bidders and ${o.auctions} auctions`);
  const setup = await spawnBenchDaemon({ databaseUrl: env.databaseUrl });
  try {
    const admin = new HttpClient({ url: setup.url, token: setup.adminToken, keepAlive: true });
    try {
      const [seller] = await createUsers(admin, 'load-seller', 1, 0);
      const bidders = await createUsers(admin, 'load-bidder', o.bidders, BALANCE);
      const auctions = await createAuctions(setup.url, seller!, 'load lot', o.auctions, AUCTION);
      return { bidders, auctions, adminToken: setup.adminToken };
    } finally {
      admin.close();
    }
  } finally {
    // Each run gets a fresh daemon, so its memory is its own.
    await setup.stop();
  }
}

/** Raises the stream to every auction's minimum next bid, so the next phase's bids start valid. */
async function resync(c: pg.Client, stream: BidStream, auctions: number[]): Promise<void> {
  const r = await c.query<{ id: string; next: string }>(
    `SELECT id, coalesce(current_price + min_increment, start_price) AS next FROM auctions WHERE id = ANY ($1::bigint[])`,
    [auctions],
  );
  for (const row of r.rows) stream.atLeast(Number(row.id), Number(row.next));
}

async function runPhase(env: BenchEnv, o: LoadOptions, fx: Fixture, stream: BidStream, mode: SocketMode, c: pg.Client): Promise<PhaseResult> {
  const users = mode === 'multiplexed' ? o.users : o.perAuctionUsers;
  const specs = socketSpecs(mode, users, fx, o.perUser);
  const p = env.progress;
  p.step(`${mode}: starting a fresh daemon`);
  const daemon: BenchDaemon = await spawnBenchDaemon({ databaseUrl: env.databaseUrl, adminToken: fx.adminToken });
  let pool: Awaited<ReturnType<typeof startWatchers>> | undefined;
  try {
    const next = () => shot(stream, fx);
    await resync(c, stream, fx.auctions);
    p.step(`${mode}: warming the daemon up (1 s of bids, no watchers)`);
    await runCannon({ url: daemon.url, connections: o.concurrency, durationMs: 1000, maxBids: 100_000, next });
    await new Promise((r) => setTimeout(r, 1000));
    const beforeSockets = (await memoryOf(daemon.pid))?.rss ?? NaN;

    p.step(`${mode}: ${fmt(users)} users open ${fmt(specs.length)} WebSockets (${o.watcherProcesses} watcher processes) and subscribe`);
    const openStarted = performance.now();
    pool = await startWatchers({ url: daemon.url, sockets: specs, processes: o.watcherProcesses, parallel: 32, timeoutMs: 120_000 });
    const openSec = round1((performance.now() - openStarted) / 1000);
    const metricsReady = await scrapeMetrics(daemon.url);
    await new Promise((r) => setTimeout(r, 1000));
    const withSockets = (await memoryOf(daemon.pid))?.rss ?? NaN;
    const starts = await versionsOf(c, fx.auctions);

    p.step(`${mode}: autocannon, ${o.concurrency} connections, ${o.durationSec} s, while ${fmt(specs.length)} sockets watch`);
    const rss = startSampler(200, async () => (await memoryOf(daemon.pid))?.rss);
    const conns = startSampler(250, () => pgConnections(c));
    const cpuOf = async () => ({
      daemon: (await cpuSeconds(daemon.pid)) ?? NaN,
      postgres: env.serverPid === undefined ? undefined : await treeCpuSeconds(env.serverPid),
      watchers: (await Promise.all(pool!.pids.map((pid) => cpuSeconds(pid)))).reduce<number>((s, x) => s + (x ?? NaN), 0),
    });
    const mBefore = await scrapeMetrics(daemon.url);
    const cpu0 = await cpuOf();
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const loadStartedAt = Date.now();
    const machineLoad = round2(loadavg()[0]!);
    const bids = await runCannon({
      url: daemon.url,
      connections: o.concurrency,
      durationMs: o.durationSec * 1000,
      maxBids: o.maxBids,
      next,
      onTick: progressTick(p, mode),
    });
    p.end();
    p.step(`${mode}: waiting for every watcher to have every event`);
    const finals = await settledVersions(c, fx.auctions);
    // Read once, before the watchers report: they need the commit times, the outbox check their report.
    const { events, commits } = await runEvents(c, starts, finals);
    const d = await pool.finish(finals, commits, 60_000);
    const windowSec = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const cpu1 = await cpuOf();
    const rssSamples = await rss.stop();
    const connSamples = await conns.stop();
    const mAfter = await scrapeMetrics(daemon.url);
    const frames = metricTotal(mAfter, 'nb_ws_events_fanned_out_total') - metricTotal(mBefore, 'nb_ws_events_fanned_out_total');
    const writes = metricTotal(mAfter, 'nb_ws_socket_writes_total') - metricTotal(mBefore, 'nb_ws_socket_writes_total');
    const batchTime = histogramBetween(mBefore, mAfter, 'nb_bid_batch_duration_seconds');

    p.step(`${mode}: checking the deliveries against the outbox`);
    const outbox = checkOutbox(events, d);
    const audit = await new HttpClient({ url: daemon.url, token: fx.adminToken }).audit();
    await pool.close();
    pool = undefined;

    const peak = Math.max(withSockets, ...rssSamples);
    const daemonCpu = cpu1.daemon - cpu0.daemon;
    const pgConn = connSamples.reduce((best, s) => (s.daemon > best.daemon || (s.daemon === best.daemon && s.total > best.total) ? s : best), {
      total: 0, daemon: 0, byApplication: {}, daemonBusy: {},
    } as PgConnections);
    // What the daemon's backends were doing, over every sample.
    const busy: Record<string, number> = {};
    for (const sample of connSamples) for (const [k, n] of Object.entries(sample.daemonBusy)) busy[k] = (busy[k] ?? 0) + n;
    const deliverySec = d.lastDeliveryAt > 0 ? (d.lastDeliveryAt - loadStartedAt) / 1000 : windowSec;
    const bf = bidFigures(bids, machineLoad);
    return {
      mode,
      users,
      sockets: metricTotal(metricsReady, 'nb_ws_sockets'),
      subscriptions: metricTotal(metricsReady, 'nb_ws_subscriptions'),
      openSec,
      bids: bf,
      deliveries: {
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
      },
      cpu: {
        windowSec: round1(windowSec),
        daemon: Math.round((daemonCpu / windowSec) * 100),
        ...(cpu0.postgres !== undefined && cpu1.postgres !== undefined ? { postgres: Math.round(((cpu1.postgres - cpu0.postgres) / windowSec) * 100) } : {}),
        watchers: Math.round(((cpu1.watchers - cpu0.watchers) / windowSec) * 100),
        generator: Math.round(((self.user + self.system) / 1e6 / windowSec) * 100),
        daemonUsPerDelivery: d.deliveries > 0 ? round1((daemonCpu * 1e6) / d.deliveries) : NaN,
        daemonUsPerBid: bf.accepted > 0 ? Math.round((daemonCpu * 1e6) / bf.accepted) : NaN,
      },
      memory: {
        beforeSockets,
        withSockets,
        peak,
        perUserIdle: (withSockets - beforeSockets) / users,
        perUserPeak: (peak - beforeSockets) / users,
      },
      inside: {
        meanBatch: batchSizesBetween(mBefore, mAfter).mean,
        meanBatchMs: round1(batchTime.mean * 1000),
        commitToSend: histogramBetween(mBefore, mAfter, 'nb_ws_commit_to_send_seconds'),
        framesPerWrite: writes > 0 ? round1(frames / writes) : NaN,
        // The scrape before the run reset prom-client's histogram, so this covers the run.
        loopDelayP50Ms: round1(Math.max(0, metricTotal(mAfter, 'nodejs_eventloop_lag_p50_seconds') - 0.01) * 1000),
        loopDelayP99Ms: round1(Math.max(0, metricTotal(mAfter, 'nodejs_eventloop_lag_p99_seconds') - 0.01) * 1000),
      },
      postgres: { ...pgConn, daemonBusy: busy },
      auditViolations: audit.violations.length,
    };
  } finally {
    await pool?.close();
    await daemon.stop();
  }
}

/** Runs the load scenario: baselines, the multiplexed run and (with --sockets per-auction) the per-auction run. */
export async function runLoad(env: BenchEnv, flags: Partial<LoadOptions>): Promise<Report> {
  const o: LoadOptions = { ...loadDefaults, ...stripUndefined(flags) };
  return withReport('load', env, { ...o }, async () => {
    const limits = `The daemon's per-address connection and rate limits are off for the run (${NO_LIMIT_ARGS.join(' ')}): every socket and bid comes from one address.`;

    const fx = await makeFixture(env, o);
    const stream = new BidStream(fx.auctions, fx.bidders.length, AUCTION.startPrice, AUCTION.minIncrement);
    const base: Baselines = {};
    if (o.baseline) {
      for (const mode of ['statements', 'function'] as const) {
        env.progress.step(`baseline (${mode === 'statements' ? 'a' : 'b'}): ${o.concurrency} connections straight at PostgreSQL, ${o.durationSec} s`);
        const machineLoad = round2(loadavg()[0]!);
        const r = await runSqlLoad({
          url: env.databaseUrl, mode, connections: o.concurrency, durationMs: o.durationSec * 1000, maxBids: o.maxBids,
          next: () => sqlShot(stream, fx),
          onTick: progressTick(env.progress, mode),
        });
        env.progress.end();
        base[mode] = bidFigures(r, machineLoad);
      }
    }
    const c = await connectClient(env.databaseUrl);
    const runs: PhaseResult[] = [];
    try {
      runs.push(await runPhase(env, o, fx, stream, 'multiplexed', c));
      if (o.sockets === 'per-auction') runs.push(await runPhase(env, o, fx, stream, 'per-auction', c));
    } finally {
      await c.end().catch(() => {});
    }
    const figures = figuresOf(runs, base);
    const problems = runs.flatMap(phaseProblems);
    for (const [name, b] of Object.entries(base) as [string, BidFigures][]) {
      if (b.transportErrors) problems.push(`baseline ${name}: ${b.transportErrors} database errors`);
    }
    return { figures, markdown: `${markdownOf(o, runs, base, figures, limits)}\n`, problems, details: { runs, baselines: base } };
  });
}
