// `bench load`: a crowd watching while bids pour in. U users (default 1,000)
// each hold ONE WebSocket subscribed to 20 of 100 open auctions, while
// autocannon fires bids over HTTP (C connections, T seconds, rising amounts
// on a random auction). It reports the daemon's accepted bids/s beside the
// same bid transaction fired straight at PostgreSQL (load-gen/baseline-sql.ts,
// same auctions, same concurrency), the bid latency, the commit-to-watcher
// latency of every delivery, and checks every delivery against the outbox:
// each watcher must get exactly the committed events of its auctions, in
// version order. With `--sockets per-auction` it runs again with one socket
// per (user, auction) and prints the two side by side: connections, the
// daemon's memory and CPU, and the cost per user. With `--rate R` the bids come
// from an open loop at R bids/s instead (latency from each bid's slot, no
// baselines), and with `--rate-sweep` at each of several rates, a fresh daemon
// and fresh watchers per rate, to find the knee: the highest rate whose
// commit-to-watcher p99 stays ≤ 50 ms with nothing lost; with `--bids-over ws`
// the open loop's bids go over one WebSocket per bidder instead of HTTP
// connections, as the TUI's users bid. A phase (one socket
// mode, one rate) is load-phase.ts; the tables and charts are load-report.ts.
import { loadavg } from 'node:os';
import { HttpClient } from '../../src/client/http-client.js';
import { NO_LIMIT_ARGS, spawnBenchDaemon } from '../harness/daemons.js';
import { AUCTION, BALANCE, makeFixture, type Fixture } from '../harness/fixtures.js';
import { connectClient } from '../harness/pg-client.js';
import { round2, type Report } from '../harness/report.js';
import { stripUndefined, withReport } from '../harness/scenario.js';
import type { BenchEnv } from '../harness/session.js';
import { runSqlLoad } from '../load-gen/baseline-sql.js';
import { BidStream } from '../load-gen/workload.js';
import { bidFigures, runPhase, type PhaseSetup } from './load-phase.js';
import { chartsOf, figuresOf, markdownOf, phaseProblems } from './load-report.js';
import type { Baselines, BidFigures, LoadOptions, PhaseResult } from './load-types.js';

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
  rates: [],
  bidsOver: 'http',
};

/**
 * The rates of `--rate-sweep` without a list, bids/s: the 100 … 1,000,
 * and past them to where the curve bends on a 2-core machine (its knee was
 * 1,600 on December 5, with 2,000 over the bound), so that the knee is found
 * rather than cut off at the last rate tried.
 */
export const DEFAULT_SWEEP = [100, 200, 400, 600, 800, 1000, 1200, 1600, 2000];

/** Watchers per auction the default number of auctions aims at: users × auctions each ÷ this. */
export const WATCHERS_PER_AUCTION = 200;

/**
 * The run's options: the defaults, those of the open loop when it has rates
 * (10 s a rate, up to 256 connections, no SQL baselines), auctions enough for
 * ≈200 watchers each unless given, and the flags given over them.
 */
export function loadOptions(flags: Partial<LoadOptions>): LoadOptions {
  const given = stripUndefined(flags);
  const users = given.users ?? loadDefaults.users;
  const perUser = given.perUser ?? loadDefaults.perUser;
  const open = (given.rates?.length ?? 0) > 0;
  return {
    ...loadDefaults,
    ...(open ? { durationSec: 10, concurrency: 256, baseline: false } : {}),
    auctions: Math.max(perUser, Math.round((users * perUser) / WATCHERS_PER_AUCTION)),
    ...given,
  };
}

/** The bidders and auctions, made through a daemon of their own, and that daemon's admin token (each phase's daemon shares it). */
async function loadFixture(env: BenchEnv, o: LoadOptions): Promise<{ fx: Fixture; adminToken: string }> {
  env.progress.step(`creating ${o.bidders} bidders and ${o.auctions} auctions`);
  const setup = await spawnBenchDaemon({ databaseUrl: env.databaseUrl });
  try {
    const admin = new HttpClient({ url: setup.url, token: setup.adminToken, keepAlive: true });
    try {
      const fx = await makeFixture(admin, setup.url, { name: 'load', bidders: o.bidders, balance: BALANCE, auctions: o.auctions, auction: AUCTION });
      return { fx, adminToken: setup.adminToken };
    } finally {
      admin.close();
    }
  } finally {
    // Each run gets a fresh daemon, so its memory is its own.
    await setup.stop();
  }
}

/** The two SQL baselines: the same bids straight at PostgreSQL, before the daemon runs. */
async function runBaselines(env: BenchEnv, o: LoadOptions, stream: BidStream): Promise<Baselines> {
  const base: Baselines = {};
  for (const mode of ['statements', 'function'] as const) {
    env.progress.step(`baseline (${mode === 'statements' ? 'a' : 'b'}): ${o.concurrency} connections straight at PostgreSQL, ${o.durationSec} s`);
    const machineLoad = round2(loadavg()[0]!);
    const r = await runSqlLoad({
      url: env.databaseUrl, mode, connections: o.concurrency, durationMs: o.durationSec * 1000, maxBids: o.maxBids,
      next: () => stream.nextSql(),
      onTick: env.progress.ticker(mode),
    });
    env.progress.end();
    base[mode] = bidFigures(r, machineLoad);
  }
  return base;
}

/** Runs the load scenario: baselines, the multiplexed run and (with --sockets per-auction) the per-auction run. */
export async function runLoad(env: BenchEnv, flags: Partial<LoadOptions>): Promise<Report> {
  const o = loadOptions(flags);
  return withReport('load', env, { ...o }, async () => {
    const limits = `The daemon's per-address connection and rate limits are off for the run (${NO_LIMIT_ARGS.join(' ')}): every socket and bid comes from one address.`;

    const { fx, adminToken } = await loadFixture(env, o);
    const stream = new BidStream(fx, AUCTION);
    const base = o.baseline ? await runBaselines(env, o, stream) : {};
    const c = await connectClient(env.databaseUrl);
    const runs: PhaseResult[] = [];
    try {
      const setup: PhaseSetup = { env, o, fx, adminToken, stream, c };
      const rates = o.rates.length ? o.rates : [undefined];
      for (const rate of rates) {
        runs.push(await runPhase(setup, 'multiplexed', rate));
        if (o.sockets === 'per-auction') runs.push(await runPhase(setup, 'per-auction', rate));
      }
    } finally {
      await c.end().catch(() => {});
    }
    const figures = figuresOf(runs, base);
    const problems = runs.flatMap(phaseProblems);
    for (const [name, b] of Object.entries(base) as [string, BidFigures][]) {
      if (b.transportErrors) problems.push(`baseline ${name}: ${b.transportErrors} database errors`);
    }
    const charts = chartsOf(o, runs, `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    return { figures, markdown: `${markdownOf(o, runs, base, figures, limits)}\n`, problems, details: { runs, baselines: base }, charts };
  });
}
