// `neighborbid demo`: a whole market on this machine in one command. Starts a
// daemon on the embedded PostgreSQL in a throwaway directory, makes a user for
// the person and twenty auctions, lets a few simulated neighbours bid, and
// opens the TUI as that person. Quitting stops all of it and removes the directory.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { HttpClient } from '../client/http-client.js';
import { nbError } from '../protocol/errors.js';
import { formatMoney } from '../format/money.js';
import type { Daemon } from '../daemon/daemon.js';
import { startBidders, type BiddersHandle } from './bidders.js';
import { catalogue } from './catalogue.js';

export interface DemoOptions {
  /** Keep everything here instead of a throwaway directory (it is then kept). */
  dataDir?: string | undefined;
  /** The person's name on the board. */
  name?: string;
  /** The person's opening balance. */
  balance?: number;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

const NEIGHBOURS = ['ada', 'bo', 'cyd', 'dee'];
const NEIGHBOUR_BALANCE = 60_000;

/** Runs the demo until the person quits; every process it started is stopped when it resolves. */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw nbError('INVALID_INPUT', { reason: 'demoTerminal' });
  }
  const say = (line: string) => process.stderr.write(`${line}\n`);
  // If the terminal goes away (SIGHUP), progress lines fail with EIO; the clean-up must still run.
  process.stderr.on('error', () => {});
  const throwaway = !options.dataDir;
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'neighborbid-demo-')));

  // Until the TUI takes the keyboard, Ctrl-C only asks for a stop at the next step.
  let interrupted = false;
  const onSignal = () => {
    if (!interrupted) say('Stopping…');
    interrupted = true;
    process.exitCode = 130;
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const listen = (on: boolean) => signals.forEach((s) => (on ? process.on(s, onSignal) : process.off(s, onSignal)));
  listen(true);

  let daemon: Daemon | undefined;
  let bidders: BiddersHandle | undefined;
  try {
    say(`Starting the daemon and its PostgreSQL in ${dir} (the first start takes a few seconds)…`);
    const { startDaemon } = await import('../daemon/daemon.js');
    try {
      daemon = await startDaemon({
        port: 0,
        dataDir: dir,
        // The screen belongs to the TUI: the daemon logs to a file in the data directory.
        logger: pino({ level: 'info' }, pino.destination({ dest: join(dir, 'daemon.log'), sync: true })),
        closerIntervalMs: 250,
      });
    } catch (err) {
      // Ctrl-C reaches the whole foreground group, initdb included: that failure is the stop asked for.
      if (interrupted) return;
      throw err;
    }
    if (interrupted) return;

    const admin = new HttpClient({ url: daemon.url, token: daemon.adminToken, keepAlive: true });
    const name = options.name ?? (process.env.USER && process.env.USER !== 'root' ? process.env.USER : 'you');
    const balance = options.balance ?? 100_000;
    const [person, seller, ...neighbours] = await Promise.all([
      admin.createUser(name.slice(0, 64), balance),
      admin.createUser('market'),
      ...NEIGHBOURS.map((n) => admin.createUser(n, NEIGHBOUR_BALANCE)),
    ]);
    admin.close();
    const sellerClient = new HttpClient({ url: daemon.url, token: seller!.token, keepAlive: true });
    const auctions = [];
    for (const body of catalogue()) auctions.push(await sellerClient.createAuction(body));
    sellerClient.close();
    if (interrupted) return;

    const lastEnd = Math.max(...auctions.map((a) => Date.parse(a.endsAt)));
    bidders = startBidders({
      url: daemon.url,
      bidders: neighbours.map((u) => ({ id: u.id, token: u.token })),
      personId: person!.id,
      // Soft closes can push ends out a little; the bidders stop soon after the last one.
      stopAt: lastEnd + 60_000,
    });
    say(`Daemon at ${daemon.url}; you are ${person!.name} with ${formatMoney(balance)}; ${auctions.length} auctions, ${NEIGHBOURS.length} neighbours bidding.`);

    listen(false);
    const { openTui } = await import('../tui/open.js');
    await openTui({ url: daemon.url, token: person!.token, stdin, stdout });
  } finally {
    listen(true);
    say('Stopping the bidders, the daemon and its PostgreSQL…');
    await bidders?.stop();
    await daemon?.close();
    if (throwaway) {
      await removeDataDir(dir);
      say(`Demo stopped; removed ${dir}.`);
    } else {
      say(`Demo stopped; its data stays in ${dir}.`);
    }
    listen(false);
  }
}

/** Removes the data directory and, if the cluster had to live elsewhere, that too. */
async function removeDataDir(dir: string): Promise<void> {
  const elsewhere = await readFile(join(dir, 'pg-cluster-location'), 'utf8').then(
    (s) => s.trim(),
    () => '',
  );
  if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
}
