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
// daemon's memory and CPU, and the cost per user. A phase (one socket mode)
// is load-phase.ts; the tables are load-report.ts.
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
import { figuresOf, markdownOf, phaseProblems } from './load-report.js';
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
};

/** Sockets one process may hold open (with its other files) on the reference machine: 20,000 open files. */
export const SOCKETS_PER_PROCESS = 18_000;

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
  const o: LoadOptions = { ...loadDefaults, ...stripUndefined(flags) };
  return withReport('load', env, { ...o }, async () => {
    const limits = `The daemon's per-address connection and rate limits are off for the run (${NO_LIMIT_ARGS.join(' ')}): every socket and bid comes from one address.`;

    const { fx, adminToken } = await loadFixture(env, o);
    const stream = new BidStream(fx, AUCTION);
    const base = o.baseline ? await runBaselines(env, o, stream) : {};
    const c = await connectClient(env.databaseUrl);
    const runs: PhaseResult[] = [];
    try {
      const setup: PhaseSetup = { env, o, fx, adminToken, stream, c };
      runs.push(await runPhase(setup, 'multiplexed'));
      if (o.sockets === 'per-auction') runs.push(await runPhase(setup, 'per-auction'));
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
