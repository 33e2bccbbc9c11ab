// The bench's command line: the usage text (the scenarios, one line each, and
// every flag) and the parse of argv into the scenario to run with its options.
import { parseArgs } from 'node:util';
import { readReport, fmt, type Report } from './harness/report.js';
import type { BenchEnv } from './harness/session.js';
import { runBaseline } from './scenarios/baseline.js';
import { runHot } from './scenarios/hot.js';
import { processOpenFiles } from './harness/open-files.js';
import { DEFAULT_SWEEP, loadDefaults, runLoad, WATCHERS_PER_AUCTION } from './scenarios/load.js';
import type { BidTransport, LoadOptions, SocketMode } from './scenarios/load-types.js';
import { raceDefaults, runRace, type RaceOptions, type RaceTarget } from './scenarios/race.js';
import { runSpread } from './scenarios/spread.js';
import { contenderLabels, type Contender, type WorkloadFlags } from './scenarios/throughput.js';

const SCENARIOS = `scenarios:
  hot        one auction, many bidders: the daemon over HTTP and over its WebSocket beside two raw-SQL baselines
  spread     the same with bids spread over 1,000 auctions
  baseline   the bid transaction straight at PostgreSQL (both ways), hot and spread
  race       simultaneous whole-balance bids: nobody may spend more than they have
  load       1,000 users watching 20 auctions each over one WebSocket while autocannon bids;
             with --rate or --rate-sweep, bids at fixed rates (an open loop) and the knee`;

const USAGE = `usage: npm run bench -- <scenario> [flags]

${SCENARIOS}

flags (all scenarios):
  --json                 print the report as JSON instead of markdown
  --compare <file>       show the change against an earlier report
  --report-dir <dir>     where reports go (default bench/reports), each with its charts (SVG)
  --charts-dir <dir>     also write the charts there as <scenario>-<chart>.svg (e.g. docs/charts)
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
                         daemon-ws,daemon-per-auction (hot runs the first four, spread
                         all but daemon-ws)
  --max-share <f>        share of bids sent as maximum bids {max}, 0 to 1 (default 0.5);
                         (a) places them as plain bids
race:
  --users <n>            users (default ${raceDefaults.users})
  --per-user <n>         simultaneous bids per user, each at its own auction (default ${raceDefaults.auctionsPerUser})
  --balance <n>          each user's balance, and every bid's amount (default ${raceDefaults.balance})
  --daemons <n>          daemon processes to spread the bids over (default 1)
  --target <t>           daemon (default) or naive: a check-then-write that must be caught
  --no-baseline          skip the nb_place_bids run that the daemon's bids/s is compared with
  --max-share <f>        share of bids sent as maximum bids of the whole balance, 0 to 1 (default ${raceDefaults.maxShare});
                         the naive target's are all plain
load:
  --users <n>            watching users, one socket each (default ${loadDefaults.users})
  --per-user <n>         auctions each user watches (default ${loadDefaults.perUser})
  --auctions <n>         open auctions bid on and watched (default users × per-user ÷ ${WATCHERS_PER_AUCTION}: ≈${WATCHERS_PER_AUCTION} watchers each)
  --rate <n>             an open loop: n bids/s, each written at its slot and timed from it
  --rate-sweep [list]    the open loop at each rate of a comma-separated list (default
                         ${DEFAULT_SWEEP.join(',')}), a fresh daemon each; prints the knee
  --bids-over <t>        with a rate, what the open loop's bids go over: http (default), keep-alive
                         connections; or ws, one WebSocket per bidder, each bid a frame with its
                         own ref (any number in flight per socket), timed to its reply
  --concurrency <n>      HTTP connections autocannon bids over, and of the SQL baselines (default ${loadDefaults.concurrency});
                         with a rate over http, the most connections the open loop opens (default 256)
  --duration <s>         seconds of bidding per run, and per baseline (default ${loadDefaults.durationSec}; 10 per rate)
  --bidders <n>          users the bids are sent as (default ${loadDefaults.bidders})
  --max-bids <n>         bids per run at most
  --sockets <mode>       multiplexed (default), or per-auction: the multiplexed run, then one
                         socket per (user, auction) for --per-auction-users users, side by side
  --per-auction-users <n> users of the per-auction run (default ${loadDefaults.perAuctionUsers}: ${fmt(loadDefaults.perAuctionUsers * loadDefaults.perUser)} sockets)
  --watcher-processes <n> child processes holding the watchers' sockets (default ${loadDefaults.watcherProcesses})
  --no-baseline          skip the two SQL baselines (no ratio; an open loop has none)

exit codes: 0 ok, 1 a check failed (or the naive target was not caught), 2 usage`;

/** The usage text, naming the command as it was invoked (`npm run bench --` or `neighborbid bench`). */
export function usageText(invokedAs: string): string {
  return USAGE.replace('npm run bench --', invokedAs);
}

/** A flag or scenario the bench cannot run with: printed with the usage, exit code 2. */
export class UsageError extends Error {}

const OPTIONS = {
  json: { type: 'boolean' },
  compare: { type: 'string' },
  'report-dir': { type: 'string' },
  'charts-dir': { type: 'string' },
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
  'max-share': { type: 'string' },
  rate: { type: 'string' },
  'rate-sweep': { type: 'string' },
  'bids-over': { type: 'string' },
} as const;

/** The value `--rate-sweep` stands for when no list follows it. */
const DEFAULT_SWEEP_WORD = 'default';

/** The flags as given; throws parseArgs' own error on an unknown flag or a missing value. */
export function parseFlags(argv: string[]) {
  // `--rate-sweep` may come without its list (last, or before another flag): then it runs the default one.
  const args = argv.map((a, i) => (a === '--rate-sweep' && (argv[i + 1] ?? '-').startsWith('-') ? `--rate-sweep=${DEFAULT_SWEEP_WORD}` : a));
  return parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
}

export type Flags = ReturnType<typeof parseFlags>['values'];

/** What a run needs from the command line besides its scenario's options. */
export interface Plan {
  run: (env: BenchEnv) => Promise<Report>;
  /** The earlier report of --compare. */
  old?: Report;
}

/** A share, 0 to 1 (a decimal such as 0.5). */
function share(flags: Flags, name: keyof Flags): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a number from 0 to 1`);
  return n;
}

function int(flags: Flags, name: keyof Flags, min: number, max: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

// The flags every scenario is checked for (hot, spread and baseline use them all, load some).
function workloadFlags(f: Flags): WorkloadFlags {
  const workload = {
    durationSec: int(f, 'duration', 1, 3600),
    concurrency: int(f, 'concurrency', 1, 1000),
    bidders: int(f, 'bidders', 1, 100_000),
    maxBids: int(f, 'max-bids', 1, 100_000_000),
    maxShare: share(f, 'max-share'),
  };
  const only = f.only?.split(',').map((s) => s.trim());
  if (only && (only.length === 0 || only.some((c) => !(c in contenderLabels)))) {
    throw new UsageError(`--only takes a comma-separated list of ${Object.keys(contenderLabels).join(', ')}`);
  }
  return { ...workload, contenders: only as Contender[] | undefined };
}

function raceOptions(f: Flags): Partial<RaceOptions> {
  const target = f.target ?? 'daemon';
  if (target !== 'daemon' && target !== 'naive') throw new UsageError('--target is daemon or naive');
  return {
    users: int(f, 'users', 1, 5000),
    auctionsPerUser: int(f, 'per-user', 1, 100),
    balance: int(f, 'balance', 1, 1_000_000_000),
    daemons: int(f, 'daemons', 1, 8),
    target: target as RaceTarget,
    baseline: !f['no-baseline'],
    maxShare: share(f, 'max-share'),
  };
}

/** The open loop's rates from --rate or --rate-sweep; empty for the closed loop. */
function rates(f: Flags): number[] {
  if (f.rate !== undefined && f['rate-sweep'] !== undefined) throw new UsageError('give --rate or --rate-sweep, not both');
  if (f.rate !== undefined) return [int(f, 'rate', 1, 100_000)!];
  const sweep = f['rate-sweep'];
  if (sweep === undefined) return [];
  if (sweep === DEFAULT_SWEEP_WORD) return DEFAULT_SWEEP;
  const list = sweep.split(',').map(Number);
  if (list.length > 20 || list.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 100_000)) {
    throw new UsageError('--rate-sweep takes up to 20 comma-separated rates, each a whole number of bids/s from 1 to 100000');
  }
  return list;
}

/** Sockets the load run's daemon may hold: its open-files limit less room for its other files (HTTP connections, the database, logs). */
function daemonSocketCapacity(): number {
  return processOpenFiles() - 2000;
}

function loadOptions(f: Flags, { durationSec, bidders, maxBids }: WorkloadFlags): Partial<LoadOptions> {
  const sockets = f.sockets ?? 'multiplexed';
  if (sockets !== 'multiplexed' && sockets !== 'per-auction') throw new UsageError('--sockets is multiplexed or per-auction');
  const bidsOver = f['bids-over'] ?? 'http';
  if (bidsOver !== 'http' && bidsOver !== 'ws') throw new UsageError('--bids-over is http or ws');
  const o = {
    users: int(f, 'users', 1, 1_000_000),
    perUser: int(f, 'per-user', 1, 1000),
    auctions: int(f, 'auctions', 1, 100_000),
    concurrency: int(f, 'concurrency', 1, 1000),
    durationSec, bidders, maxBids,
    sockets: sockets as SocketMode,
    perAuctionUsers: int(f, 'per-auction-users', 1, 1_000_000),
    watcherProcesses: int(f, 'watcher-processes', 1, 64),
    baseline: f['no-baseline'] ? false : undefined,
    rates: rates(f),
    bidsOver: bidsOver as BidTransport,
  };
  if (bidsOver === 'ws' && !o.rates.length) throw new UsageError('--bids-over ws needs --rate or --rate-sweep (the closed loop is autocannon, over HTTP)');
  // The closed loop's baselines open this many PostgreSQL connections, beside the bench's own: below its 300.
  if (!o.rates.length && (o.concurrency ?? 0) > 250) {
    throw new UsageError('--concurrency must be a whole number from 1 to 250 (the baselines open that many PostgreSQL connections)');
  }
  const users = o.users ?? loadDefaults.users;
  const perAuctionSockets = (o.perAuctionUsers ?? loadDefaults.perAuctionUsers) * (o.perUser ?? loadDefaults.perUser);
  const capacity = daemonSocketCapacity();
  // Over ws, the bidders' sockets are open beside the watchers'.
  const bidderSockets = bidsOver === 'ws' ? (bidders ?? loadDefaults.bidders) : 0;
  const most = Math.max(users, sockets === 'per-auction' ? perAuctionSockets : 0) + bidderSockets;
  if (most > capacity) {
    throw new UsageError(`the run would open ${fmt(most)} sockets to one daemon; it may hold at most ${fmt(capacity)} here (${fmt(processOpenFiles())} open files per process)`);
  }
  return o;
}

function scenarioRun(scenario: string | undefined, f: Flags): Plan['run'] {
  const workload = workloadFlags(f);
  switch (scenario) {
    case 'hot':
      return (env) => runHot(env, workload);
    case 'spread': {
      const auctions = int(f, 'auctions', 1, 100_000);
      return (env) => runSpread(env, { ...workload, auctions });
    }
    case 'baseline': {
      const { contenders: _all, ...limits } = workload;
      const spreadAuctions = int(f, 'auctions', 1, 100_000);
      return (env) => runBaseline(env, { ...limits, spreadAuctions });
    }
    case 'race': {
      const o = raceOptions(f);
      return (env) => runRace(env, o);
    }
    case 'load': {
      const o = loadOptions(f, workload);
      return (env) => runLoad(env, o);
    }
    default:
      throw new UsageError(`unknown scenario "${scenario ?? ''}"`);
  }
}

/** The scenario to run with its options, and the report to compare with; throws UsageError. */
export async function planRun(f: Flags, positionals: string[]): Promise<Plan> {
  if (positionals.length !== 1) throw new UsageError('name one scenario');
  const old = f.compare ? await readReport(f.compare).catch((err: Error) => { throw new UsageError(err.message); }) : undefined;
  return { run: scenarioRun(positionals[0], f), ...(old ? { old } : {}) };
}
