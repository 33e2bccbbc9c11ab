// The command tree: names, arguments, options and help for every command. It
// is all this file holds; each action loads its implementation from commands/
// on demand, so `neighborbid bid` never loads the daemon, zod or the TUI.
import { Argument, Command, Option } from 'commander';
import { auctionStatuses } from '../protocol/types.js';
import { VERSION } from '../version.js';
import type { Context } from './context.js';
import { configFile } from './config.js';
import { registerBench } from './commands/bench.js';
import { registerDaemon } from './commands/daemon.js';
import { registerDemo } from './commands/demo.js';
import { registerTui } from './commands/tui.js';
import { shells, type Shell } from './completion-scripts.js';
import { environment, examples, exitCodesHelp, retryHelp } from './help-text.js';
import { amountArg, AuctionIdArgument, balanceArg, buyNowUntilArg, durationArg, idArg, isoTimeArg, limitArg, seqArg } from './parse.js';

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
  return new Option(
    '--data-dir <dir>',
    "the daemon's data directory, where it keeps the admin token (unless NEIGHBORBID_ADMIN_TOKEN is set)",
  ).env('NEIGHBORBID_DATA_DIR');
}

/** An auction id argument, `<auction>` or `[auction...]`, that shell completion fills from the daemon. */
function auctionArg(name: string, description = 'auction id', parse: (text: string, previous: any) => unknown = idArg) {
  return new AuctionIdArgument(name, description).argParser(parse);
}

const MAX_BID = `
With --max the auction keeps you ahead for you: it shows the lowest price that
does, and answers every other bid at once with one increment more, never past
your maximum. Only you see your maximum (neighborbid bids); the answer says
whether you lead and at what price. Your available funds must cover the whole
maximum, which is held while you lead. Bid --max again to raise it; while you
lead that does not move the price. Equal maxima: the earlier one leads.`;

const COMPLETION = `
Prints a script that completes commands, subcommands and flags, and auction
ids from the daemon when it answers within a moment. Install it once:
  bash  echo 'source <(neighborbid completion bash)' >> ~/.bashrc
  zsh   echo 'source <(neighborbid completion zsh)' >> ~/.zshrc    (after compinit)
  fish  neighborbid completion fish > ~/.config/fish/completions/neighborbid.fish`;

const STATUS = `
Exit code 0 when the daemon is healthy and your token (if any) is accepted;
6 when the daemon cannot be reached or is unhealthy, 5 when it refuses the
token. A client and daemon of different major versions are warned about.`;

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
    .option('--color', 'colour even when not on a terminal (as FORCE_COLOR=1)')
    .option('--no-color', 'never colour (as NO_COLOR=1)')
    .addHelpText('after', exitCodesHelp())
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true)
    .exitOverride();

  registerDaemon(program);
  registerDemo(program);
  registerTui(program);

  program
    .command('login')
    .description('check a user token with the daemon, then save it and the URL for later commands')
    .option('--with-token', 'read the token from stdin (never in shell history or ps), instead of --token')
    .hook('preAction', (command) => {
      if (command.opts().withToken && command.getOptionValueSourceWithGlobals('token') === 'cli') {
        command.error("error: give the token either on stdin (--with-token) or with --token, not both");
      }
    })
    .addHelpText('after', examples(
      'neighborbid login --with-token < token.txt',
      'neighborbid login --with-token --url http://auction.example:7700 < token.txt',
      'pass show neighborbid | neighborbid login --with-token',
    ))
    .action(lazy(() => import('./commands/login.js'), (m) => m.login));

  program
    .command('logout')
    .description('forget the token saved by login for the daemon URL (--url, else the saved one)')
    .addHelpText('after', examples('neighborbid logout', 'neighborbid logout --url http://auction.example:7700'))
    .action(lazy(() => import('./commands/login.js'), (m) => m.logout));

  program
    .command('status')
    .alias('whoami')
    .description("show the daemon's URL, version and health, this client's version, and who your token says you are")
    .addHelpText('after', STATUS)
    .addHelpText('after', examples('neighborbid status', 'neighborbid whoami --json', 'neighborbid status --url http://auction.example:7700'))
    .action(lazy(() => import('./commands/status.js'), (m) => m.status));

  program
    .command('me')
    .description('show who you are and your balance: total, held by leading bids, available')
    .addHelpText('after', examples('neighborbid me', 'neighborbid me --json', 'neighborbid me --token "$(cat token.txt)"'))
    .action(lazy(() => import('./commands/me.js'), (m) => m.me));

  const user = program
    .command('user')
    .description('create users, deposit money, issue tokens (admin)')
    .addHelpText('after', examples('neighborbid user create alice --balance 10,000', 'neighborbid user deposit 4 5,000', 'neighborbid user token 4 --quiet'));
  user
    .command('create')
    .description('create a user; prints their token, which is shown only this once')
    .argument('<name>', 'display name')
    .option('--balance <amount>', 'opening balance', balanceArg)
    .option('-q, --quiet', 'print only the token')
    .addOption(dataDirOption())
    .addHelpText('after', examples(
      'neighborbid user create alice',
      'BOB=$(neighborbid user create bob --balance 10,000 --quiet)',
      'NEIGHBORBID_ADMIN_TOKEN=$(cat admin-token) neighborbid user create carol --url http://auction.example:7700',
    ))
    .action(lazy(() => import('./commands/user.js'), (m) => m.createUser));
  user
    .command('deposit')
    .description("add money to a user's balance")
    .argument('<id>', 'user id', idArg)
    .argument('<amount>', 'amount to add', amountArg)
    .addOption(dataDirOption())
    .addHelpText('after', examples('neighborbid user deposit 4 5,000', 'neighborbid user deposit 4 1_000_000 --json'))
    .action(lazy(() => import('./commands/user.js'), (m) => m.deposit));
  user
    .command('token')
    .description("issue a new token for a user; the old one stops working")
    .argument('<id>', 'user id', idArg)
    .option('-q, --quiet', 'print only the token')
    .addOption(dataDirOption())
    .addHelpText('after', examples('neighborbid user token 4', 'neighborbid user token 4 --quiet > token.txt'))
    .action(lazy(() => import('./commands/user.js'), (m) => m.rotateToken));

  const auction = program
    .command('auction')
    .description('create, list, show and cancel auctions')
    .addHelpText('after', examples(
      "neighborbid auction create --title 'Brass lamp' --start 1,000 --increment 100 --duration 10m",
      'neighborbid auction list',
      'neighborbid auction show 7',
    ));
  auction
    .command('create')
    .description('put something up for auction (you are the seller)')
    .requiredOption('--title <text>', 'what is sold')
    .requiredOption('--start <amount>', 'starting price: the lowest first bid', amountArg)
    .option('--increment <amount>', 'minimum raise over the current price, the same at every price (or --increments)', amountArg)
    .option('--increments <table>', 'raises that grow with the price: standard (shaped like eBay\'s) or JSON [{"from":0,"step":10},{"from":1000,"step":50}]')
    .option('--reserve <amount>', 'hidden lowest price you will sell at: below it the auction ends unsold; bidders see only whether it is met', amountArg)
    .addOption(new Option('--duration <duration>', 'how long it runs: 90s, 10m, 2h').argParser(durationArg).conflicts('endsAt'))
    .option('--ends-at <time>', 'when it ends, ISO 8601 (e.g. 2030-01-31T18:00:00Z)', isoTimeArg)
    .option('--buy-now <amount>', 'price at which anyone may buy it at once', amountArg)
    .addOption(
      new Option('--buy-now-until <when>', 'buy now goes away at the first bid, once the reserve is met, or when bidding reaches its price (default)')
        .choices(['first-bid', 'reserve-met', 'price'])
        .argParser(buyNowUntilArg),
    )
    .option('--soft-close <duration>', 'a bid this close to the end extends the end by this much', durationArg)
    .option('-q, --quiet', 'print only the auction id')
    .addHelpText('after', examples(
      "neighborbid auction create --title 'Brass lamp' --start 1,000 --increment 100 --duration 10m",
      "neighborbid auction create --title Bike --start 1,000 --increments standard --reserve 5,000 --buy-now 9,000 --buy-now-until first-bid --ends-at 2030-01-31T18:00 --soft-close 2m",
      `ID=$(neighborbid auction create --title Desk --start 100 --increments '[{"from":0,"step":10},{"from":1000,"step":50}]' --duration 1h --quiet)`,
    ))
    .action(lazy(() => import('./commands/auction.js'), (m) => m.createAuction));
  auction
    .command('list')
    .description('list auctions: open ones soonest-ending first, others newest first')
    .addOption(new Option('--status <status>', 'which auctions').choices([...auctionStatuses, 'all']).default('open'))
    .option('--limit <n>', 'at most this many (1-200, default 50)', limitArg)
    .option('--cursor <cursor>', 'continue a previous listing (its nextCursor)')
    .addHelpText('after', examples(
      'neighborbid auction list',
      'neighborbid auction list --status all --limit 10',
      "neighborbid auction list --json | jq '.auctions[].id'",
    ))
    .action(lazy(() => import('./commands/auction.js'), (m) => m.listAuctions));
  auction
    .command('show')
    .description('show one auction and its latest bids')
    .addArgument(auctionArg('<id>'))
    .addHelpText('after', examples('neighborbid auction show 7', "neighborbid auction show 7 --json | jq .currentPrice"))
    .action(lazy(() => import('./commands/auction.js'), (m) => m.showAuction));
  auction
    .command('cancel')
    .description('cancel an open auction: the seller while it has no bids, the admin at any time')
    .addArgument(auctionArg('<id>'))
    .option('--admin', 'cancel as the admin (with the admin token)')
    .addOption(dataDirOption())
    .addHelpText('after', examples('neighborbid auction cancel 7', 'neighborbid auction cancel 7 --admin'))
    .action(lazy(() => import('./commands/auction.js'), (m) => m.cancelAuction));

  program
    .command('bid')
    .description('bid on an auction')
    .addArgument(auctionArg('<auction>'))
    .argument('[amount]', 'amount to bid (or use --min or --max)', amountArg)
    .option('--min', "bid the auction's minimum next bid")
    .option('--max <amount>', 'the most you would pay: the auction bids for you, one increment at a time, only as far as it must; hidden from everyone else', amountArg)
    .addOption(idempotencyOption())
    .addHelpText('after', MAX_BID)
    .addHelpText('after', retryHelp())
    .addHelpText('after', examples('neighborbid bid 7 1,500', 'neighborbid bid 7 --max 5,000', 'neighborbid bid 7 --min --idempotency-key order-42'))
    .action(lazy(() => import('./commands/bid.js'), (m) => m.bid));

  program
    .command('bids')
    .description('the auctions you have bid on: your maximum, the price, leading or outbid, when it ends')
    .option('--all', 'also the auctions that have ended')
    .option('--limit <n>', 'at most this many (1-200, default 50)', limitArg)
    .addHelpText('after', examples('neighborbid bids', 'neighborbid bids --all', "neighborbid bids --json | jq '.bids[] | select(.leading | not)'"))
    .action(lazy(() => import('./commands/bids.js'), (m) => m.myBids));

  program
    .command('buy')
    .description("buy an auction at once at its buy-now price")
    .addArgument(auctionArg('<auction>'))
    .addOption(idempotencyOption())
    .addHelpText('after', retryHelp())
    .addHelpText('after', examples('neighborbid buy 7', 'neighborbid buy 7 --idempotency-key order-43 --json'))
    .action(lazy(() => import('./commands/buy.js'), (m) => m.buy));

  program
    .command('watch')
    .description('print auction events as they happen, one line each (NDJSON with --json), over one socket')
    .addArgument(auctionArg('[auction...]', 'auction ids', (text: string, ids: number[] = []) => [...ids, idArg(text)]))
    .option('--all-open', 'watch every open auction, and new ones as they open')
    .addOption(new Option('--until <state>', 'stop (exit 0) once every watched auction has ended: sold, closed, unsold or cancelled').choices(['closed']))
    .addOption(new Option('--poll <duration>', 'with --all-open, how often to look for new auctions').argParser(durationArg).default(5, '5s'))
    .addHelpText('after', WATCH)
    .addHelpText('after', examples(
      'neighborbid watch 7 9',
      'neighborbid watch --all-open --until closed',
      `neighborbid watch 7 --json | jq -c 'select(.type == "bid")'`,
    ))
    .action(lazy(() => import('./commands/watch.js'), (m) => m.watch));

  program
    .command('inbox')
    .description('what happened to you while you were away: outbid, won, lost, sold, balance changes (NDJSON with --json)')
    .option('--follow', 'then print new events as they happen, until Ctrl-C')
    .option('--after <seq>', 'show the events after this seq instead of after the last one shown (0: all kept)', seqArg)
    .addHelpText('after', INBOX)
    .addHelpText('after', examples('neighborbid inbox', 'neighborbid inbox --follow', 'neighborbid inbox --after 0 --json'))
    .action(lazy(() => import('./commands/inbox.js'), (m) => m.inbox));

  program
    .command('audit')
    .description("run the daemon's audit of every balance, hold and sale (admin); exit code 3 when it finds violations")
    .addOption(dataDirOption())
    .addHelpText('after', examples('neighborbid audit', 'neighborbid audit --json --data-dir /var/lib/neighborbid'))
    .action(lazy(() => import('./commands/audit.js'), (m) => m.audit));

  registerBench(program);

  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(shells))
    .addHelpText('after', COMPLETION)
    .addHelpText('after', examples(
      'source <(neighborbid completion bash)',
      'neighborbid completion zsh > "${fpath[1]}/_neighborbid"',
      'neighborbid completion fish > ~/.config/fish/completions/neighborbid.fish',
    ))
    .action(async (shell: Shell) => (await import('./commands/complete.js')).printScript(program, shell));

  // What the completion scripts call: the words after `--` are the command line so far.
  program
    .command('__complete', { hidden: true })
    .argument('<shell>')
    .argument('[words...]')
    .action(async (shell: Shell, words: string[] = []) =>
      (await import('./commands/complete.js')).printCandidates(program, shell, words),
    );

  program.addHelpText('after', () => environment(configFile()));
  program.addHelpText('after', examples('neighborbid demo', 'neighborbid auction list', 'neighborbid bid 7 1,500'));

  return program;
}
