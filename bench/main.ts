// `npm run bench -- <scenario> [flags]` and `neighborbid bench <scenario>`: parses
// the flags, opens a fresh database, runs the scenario, prints its markdown (or
// JSON with --json), writes the JSON report and exits non-zero on a problem.
// Everything it starts is stopped at the end, on Ctrl-C too.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runBaseline } from './baseline.js';
import { installExitHook, openBenchDatabase, stopAll } from './daemons.js';
import { runHot } from './hot.js';
import { Progress } from './progress.js';
import { loadDefaults, runLoad, SOCKETS_PER_PROCESS, type SocketMode } from './load.js';
import { raceDefaults, runRace, type RaceTarget } from './race.js';
import { SCENARIOS } from './scenarios.js';
import { compareReports, fmt, readReport, writeReport, type Report } from './report.js';
import type { BenchEnv } from './session.js';
import { runSpread } from './spread.js';
import { contenderLabels, type Contender } from './throughput.js';

export const USAGE = `usage: npm run bench -- <scenario> [flags]

${SCENARIOS}

flags (all scenarios):
  --json                 print the report as JSON instead of markdown
  --compare <file>       show the change against an earlier report
  --report-dir <dir>     where reports go (default bench/reports)
  --database-url <url>   use this PostgreSQL server (a fresh database is made and dropped;
                         needs CREATEDB); default DATABASE_URL, else an embedded one
  --quiet                no progress on stderr
hot, spread, baseline:
  --duration <s>         seconds per contender (default 10)
  --concurrency <n>      connections per contender (default 64)
  --bidders <n>          bidding users (default 200)
  --auctions <n>         auctions (spread, default 1000)
  --max-bids <n>         bids per contender at most (default 2,000,000)
  --only <list>          contenders to run, comma-separated: statements,function,daemon,
                         daemon-per-auction (spread runs all four, hot the first three)
race:
  --users <n>            users (default ${raceDefaults.users})
  --per-user <n>         simultaneous bids per user, each at its own auction (default ${raceDefaults.auctionsPerUser})
  --balance <n>          each user's balance, and every bid's amount (default ${raceDefaults.balance})
  --daemons <n>          daemon processes to spread the bids over (default 1)
  --target <t>           daemon (default) or naive: a check-then-write that must be caught
  --no-baseline          skip the nb_place_bids run that the daemon's bids/s is compared with
load:
  --users <n>            watching users, one socket each (default ${loadDefaults.users})
  --per-user <n>         auctions each user watches (default ${loadDefaults.perUser})
  --auctions <n>         open auctions bid on and watched (default ${loadDefaults.auctions})
  --concurrency <n>      HTTP connections autocannon bids over, and of the SQL baselines (default ${loadDefaults.concurrency})
  --duration <s>         seconds of bidding per run, and per baseline (default ${loadDefaults.durationSec})
  --bidders <n>          users the bids are sent as (default ${loadDefaults.bidders})
  --max-bids <n>         bids per run at most
  --sockets <mode>       multiplexed (default), or per-auction: the multiplexed run, then one
                         socket per (user, auction) for --per-auction-users users, side by side
  --per-auction-users <n> users of the per-auction run (default ${loadDefaults.perAuctionUsers}: ${fmt(loadDefaults.perAuctionUsers * loadDefaults.perUser)} sockets)
  --watcher-processes <n> child processes holding the watchers' sockets (default ${loadDefaults.watcherProcesses})
  --no-baseline          skip the two SQL baselines (no ratio)

exit codes: 0 ok, 1 a check failed (or the naive target was not caught), 2 usage`;

class UsageError extends Error {}

let interrupted = false;

function int(flags: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/**
 * Runs one scenario from command-line arguments (without node and script);
 * resolves with the exit code. `invokedAs` names the command in the usage text.
 */
export async function runBench(argv: string[], invokedAs = 'npm run bench --'): Promise<number> {
  const usage = USAGE.replace('npm run bench --', invokedAs);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        compare: { type: 'string' },
        'report-dir': { type: 'string' },
        'database-url': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        duration: { type: 'string' },
        concurrency: { type: 'string' },
        bidders: { type: 'string' },
        auctions: { type: 'string' },
        'max-bids': { type: 'string' },
        only: { type: 'string' },
        users: { type: 'string' },
        'per-user': { type: 'string' },
        balance: { type: 'string' },
        daemons: { type: 'string' },
        target: { type: 'string' },
        'no-baseline': { type: 'boolean' },
        sockets: { type: 'string' },
        'per-auction-users': { type: 'string' },
        'watcher-processes': { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const { values: f, positionals } = parsed;
  if (f.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const scenario = positionals[0];
  let run: (env: BenchEnv) => Promise<Report>;
  let old: Report | undefined;
  try {
    if (positionals.length !== 1) throw new UsageError('name one scenario');
    if (f.compare) old = await readReport(f.compare).catch((err: Error) => { throw new UsageError(err.message); });
    const workload = {
      durationSec: int(f, 'duration', 1, 3600),
      concurrency: int(f, 'concurrency', 1, 1000),
      bidders: int(f, 'bidders', 1, 100_000),
      maxBids: int(f, 'max-bids', 1, 100_000_000),
    };
    const only = f.only?.split(',').map((s) => s.trim());
    if (only && (only.length === 0 || only.some((c) => !(c in contenderLabels)))) {
      throw new UsageError(`--only takes a comma-separated list of ${Object.keys(contenderLabels).join(', ')}`);
    }
    const contenders = only as Contender[] | undefined;
    switch (scenario) {
      case 'hot':
        run = (env) => runHot(env, { ...workload, contenders });
        break;
      case 'spread':
        run = (env) => runSpread(env, { ...workload, auctions: int(f, 'auctions', 1, 100_000), contenders });
        break;
      case 'baseline':
        run = (env) => runBaseline(env, { ...workload, spreadAuctions: int(f, 'auctions', 1, 100_000) });
        break;
      case 'race': {
        const target = f.target ?? 'daemon';
        if (target !== 'daemon' && target !== 'naive') throw new UsageError('--target is daemon or naive');
        const race = {
          users: int(f, 'users', 1, 5000),
          auctionsPerUser: int(f, 'per-user', 1, 100),
          balance: int(f, 'balance', 1, 1_000_000_000),
          daemons: int(f, 'daemons', 1, 8),
          target: target as RaceTarget,
          baseline: !f['no-baseline'],
        };
        run = (env) => runRace(env, race);
        break;
      }
      case 'load': {
        const sockets = f.sockets ?? 'multiplexed';
        if (sockets !== 'multiplexed' && sockets !== 'per-auction') throw new UsageError('--sockets is multiplexed or per-auction');
        const load = {
          users: int(f, 'users', 1, 18_000),
          perUser: int(f, 'per-user', 1, 1000),
          auctions: int(f, 'auctions', 1, 100_000),
          // Below PostgreSQL's 300 connections: the baselines open this many, beside the bench's own.
          concurrency: int(f, 'concurrency', 1, 250),
          durationSec: workload.durationSec,
          bidders: workload.bidders,
          maxBids: workload.maxBids,
          sockets: sockets as SocketMode,
          perAuctionUsers: int(f, 'per-auction-users', 1, 18_000),
          watcherProcesses: int(f, 'watcher-processes', 1, 8),
          baseline: !f['no-baseline'],
        };
        const perAuctionSockets = (load.perAuctionUsers ?? loadDefaults.perAuctionUsers) * (load.perUser ?? loadDefaults.perUser);
        if (sockets === 'per-auction' && perAuctionSockets > SOCKETS_PER_PROCESS) {
          throw new UsageError(`the per-auction run would open ${fmt(perAuctionSockets)} sockets; the daemon may hold at most ${fmt(SOCKETS_PER_PROCESS)} (20,000 open files per process)`);
        }
        run = (env) => runLoad(env, load);
        break;
      }
      default:
        throw new UsageError(`unknown scenario "${scenario ?? ''}"`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`neighborbid bench: ${err.message}\n\n${usage}\n`);
    return 2;
  }

  installExitHook();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}; stopping everything it started\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = new Progress(Boolean(f.quiet));
  const databaseUrl = f['database-url'] ?? process.env.DATABASE_URL;
  try {
    progress.step(databaseUrl ? `making a fresh database on ${new URL(databaseUrl).host}` : 'starting an embedded PostgreSQL in a temporary directory');
    const db = await openBenchDatabase(databaseUrl);
    let report: Report;
    try {
      report = await run({ databaseUrl: db.url, progress, serverPid: db.serverPid });
    } finally {
      progress.step('stopping everything the bench started');
      await db.close();
    }
    const file = await writeReport(report, f['report-dir']);
    const comparison = old ? compareReports(old, report) : '';
    if (f.json) process.stdout.write(`${JSON.stringify(old ? { ...report, comparison } : report, null, 2)}\n`);
    else process.stdout.write(`${report.markdown}\n${comparison ? `${comparison}\n` : ''}Report: ${file}\n`);
    return report.problems.length ? 1 : 0;
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // After Ctrl-C the run fails as its processes go away; that is not news.
      if (!interrupted) process.stderr.write(`neighborbid bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      void stopAll().finally(() => process.exit(interrupted ? 130 : 1));
    },
  );
}
