// The command tree: names, arguments, options and help for every command. It
// is all this file holds; each action loads its implementation from commands/
// on demand, so `neighborbid bid` never loads the daemon, zod or the TUI.
import { Command, Option } from 'commander';
import { auctionStatuses } from '../protocol/types.js';
import { VERSION } from '../version.js';
import type { Context } from './context.js';
import { registerBench } from './commands/bench.js';
import { registerDaemon } from './commands/daemon.js';
import { registerDemo } from './commands/demo.js';
import { registerTui } from './commands/tui.js';
import { amountArg, balanceArg, durationArg, idArg, isoTimeArg, limitArg, seqArg } from './parse.js';

const EXIT_CODES = `
Exit codes:
  0  ok
  1  unexpected error
  2  usage: a bad flag or argument
  3  rejected by a rule (the code, e.g. BID_TOO_LOW, is printed); audit found violations
  4  not found
  5  authentication: a missing or wrong token, or one that may not do this
  6  the daemon cannot be reached, or its database is down, or it is stopping

With --json, stdout holds exactly one JSON document: the API's answer, or
{"error":{"code","message",…}} on failure (watch: one JSON object per line, the
error too). The one-line error is on stderr either way.`;

const RETRIES = `
Without --idempotency-key a fresh key is made for this one command. If the
daemon cannot be reached, or answers UNAVAILABLE or SHUTTING_DOWN, the request
is sent again with the same key, up to 3 more times over about 2 seconds; the
daemon runs a key only once, so a retry can never act twice.`;

const WATCH = `
Each line shows the time, the auction, what happened (bid, extended, sold,
closed, unsold, cancelled), the price and the leader. It starts with one
"watching" line per auction: its state now. With a user token (--token,
NEIGHBORBID_TOKEN or login) your private events come too (outbid, won, lost,
sale, unsold, balance), marked "private:". With --json every line is one JSON
object as the daemon sends it: snapshot, the events, your private events, and an
error for a refused auction. What came while you were away: neighborbid inbox.

A lost connection is resumed by itself, from the last event seen, without a gap
or a repeat (notes on stderr). At the start the daemon is tried 4 times before
giving up with exit code 6. An unknown auction is a warning, or exit code 4 when
none of the auctions named exists. Ctrl-C stops it with exit code 130 (SIGTERM
143); --until closed ends with 0 once every watched auction has ended.`;

const INBOX = `
Your private events, kept by the daemon even while no socket of yours is open:
outbid, won, lost, sale (your auction sold), unsold, and balance changes. Each
has a number (seq) in your inbox; the last one shown is saved in the config file
for this daemon URL and user, so the next run shows only what is new (the TUI
reads and saves the same position). With --json every line is one JSON object,
the event with its seq. The daemon keeps 30 days and the newest 1,000 events per
user; asking for older ones says so on stderr and starts at the oldest kept.
--follow then prints new events as they happen, resuming by itself after a lost
connection; Ctrl-C stops it with exit code 130 (SIGTERM 143).`;

type Implementation = (ctx: Context, ...args: any[]) => Promise<void>;

/**
 * An action that loads its implementation (and the HTTP client with it) only
 * when the command runs. Commander passes the positional arguments, the
 * command's options and the command itself.
 */
function lazy<M>(load: () => Promise<M>, pick: (module: M) => Implementation) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const [{ contextOf }, module] = await Promise.all([import('./context.js'), load()]);
    await pick(module)(contextOf(command), ...args.slice(0, -1));
  };
}

/** For commands that need the admin token from the daemon's data directory. */
function dataDirOption(): Option {
  return new Option('--data-dir <dir>', "the daemon's data directory, where it keeps the admin token").env(
    'NEIGHBORBID_DATA_DIR',
  );
}

function idempotencyOption(): Option {
  return new Option('--idempotency-key <key>', 'make retries of this exact command safe (default: a fresh key)');
}

export function buildProgram(): Command {
  // Settings first: commander copies them into every command made afterwards.
  const program = new Command('neighborbid')
    .description('A terminal auction toolkit: a race-free bidding daemon on PostgreSQL, its CLI and TUI.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('--url <url>', 'daemon URL (default: the logged-in URL, else http://127.0.0.1:7700)').env('NEIGHBORBID_URL'))
    .addOption(new Option('--token <token>', 'user token (default: the one saved by login)').env('NEIGHBORBID_TOKEN'))
    .option('--json', 'machine output: the API object as JSON on stdout')
    .option('--verbose', 'show stack traces and retries')
    .addHelpText('after', EXIT_CODES)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true)
    .exitOverride();

  registerDaemon(program);
  registerDemo(program);
  registerTui(program);

  program
    .command('login')
    .description('check a user token with the daemon, then save it and the URL for later commands (use --token and --url)')
    .action(lazy(() => import('./commands/login.js'), (m) => m.login));

  program
    .command('me')
    .description('show who you are and your balance: total, held by leading bids, available')
    .action(lazy(() => import('./commands/me.js'), (m) => m.me));

  const user = program.command('user').description('create users, deposit money, issue tokens (admin)');
  user
    .command('create')
    .description('create a user; prints their token, which is shown only this once')
    .argument('<name>', 'display name')
    .option('--balance <amount>', 'opening balance', balanceArg)
    .option('-q, --quiet', 'print only the token')
    .addOption(dataDirOption())
    .action(lazy(() => import('./commands/user.js'), (m) => m.createUser));
  user
    .command('deposit')
    .description("add money to a user's balance")
    .argument('<id>', 'user id', idArg)
    .argument('<amount>', 'amount to add', amountArg)
    .addOption(dataDirOption())
    .action(lazy(() => import('./commands/user.js'), (m) => m.deposit));
  user
    .command('token')
    .description("issue a new token for a user; the old one stops working")
    .argument('<id>', 'user id', idArg)
    .option('-q, --quiet', 'print only the token')
    .addOption(dataDirOption())
    .action(lazy(() => import('./commands/user.js'), (m) => m.rotateToken));

  const auction = program.command('auction').description('create, list, show and cancel auctions');
  auction
    .command('create')
    .description('put something up for auction (you are the seller)')
    .requiredOption('--title <text>', 'what is sold')
    .requiredOption('--start <amount>', 'starting price: the lowest first bid', amountArg)
    .requiredOption('--increment <amount>', 'minimum raise over the current price', amountArg)
    .addOption(new Option('--duration <duration>', 'how long it runs: 90s, 10m, 2h').argParser(durationArg).conflicts('endsAt'))
    .option('--ends-at <time>', 'when it ends, ISO 8601 (e.g. 2030-01-31T18:00:00Z)', isoTimeArg)
    .option('--buy-now <amount>', 'price at which anyone may buy it at once', amountArg)
    .option('--soft-close <duration>', 'a bid this close to the end extends the end by this much', durationArg)
    .option('-q, --quiet', 'print only the auction id')
    .action(lazy(() => import('./commands/auction.js'), (m) => m.createAuction));
  auction
    .command('list')
    .description('list auctions: open ones soonest-ending first, others newest first')
    .addOption(new Option('--status <status>', 'which auctions').choices([...auctionStatuses, 'all']).default('open'))
    .option('--limit <n>', 'at most this many (1-200, default 50)', limitArg)
    .option('--cursor <cursor>', 'continue a previous listing (its nextCursor)')
    .action(lazy(() => import('./commands/auction.js'), (m) => m.listAuctions));
  auction
    .command('show')
    .description('show one auction and its latest bids')
    .argument('<id>', 'auction id', idArg)
    .action(lazy(() => import('./commands/auction.js'), (m) => m.showAuction));
  auction
    .command('cancel')
    .description('cancel an open auction: the seller while it has no bids, the admin at any time')
    .argument('<id>', 'auction id', idArg)
    .option('--admin', 'cancel as the admin (with the admin token)')
    .addOption(dataDirOption())
    .action(lazy(() => import('./commands/auction.js'), (m) => m.cancelAuction));

  program
    .command('bid')
    .description('bid on an auction')
    .argument('<auction>', 'auction id', idArg)
    .argument('[amount]', 'amount to bid (or use --min)', amountArg)
    .option('--min', "bid the auction's minimum next bid")
    .addOption(idempotencyOption())
    .addHelpText('after', RETRIES)
    .action(lazy(() => import('./commands/bid.js'), (m) => m.bid));

  program
    .command('buy')
    .description("buy an auction at once at its buy-now price")
    .argument('<auction>', 'auction id', idArg)
    .addOption(idempotencyOption())
    .addHelpText('after', RETRIES)
    .action(lazy(() => import('./commands/buy.js'), (m) => m.buy));

  program
    .command('watch')
    .description('print auction events as they happen, one line each (NDJSON with --json), over one socket')
    .argument('[auction...]', 'auction ids', (text: string, ids: number[] = []) => [...ids, idArg(text)])
    .option('--all-open', 'watch every open auction, and new ones as they open')
    .addOption(new Option('--until <state>', 'stop (exit 0) once every watched auction has ended: sold, closed, unsold or cancelled').choices(['closed']))
    .addOption(new Option('--poll <duration>', 'with --all-open, how often to look for new auctions').argParser(durationArg).default(5, '5s'))
    .addHelpText('after', WATCH)
    .action(lazy(() => import('./commands/watch.js'), (m) => m.watch));

  program
    .command('inbox')
    .description('what happened to you while you were away: outbid, won, lost, sold, balance changes (NDJSON with --json)')
    .option('--follow', 'then print new events as they happen, until Ctrl-C')
    .option('--after <seq>', 'show the events after this seq instead of after the last one shown (0: all kept)', seqArg)
    .addHelpText('after', INBOX)
    .action(lazy(() => import('./commands/inbox.js'), (m) => m.inbox));

  program
    .command('audit')
    .description("run the daemon's audit of every balance, hold and sale (admin); exit code 3 when it finds violations")
    .addOption(dataDirOption())
    .action(lazy(() => import('./commands/audit.js'), (m) => m.audit));

  registerBench(program);

  return program;
}
