// `neighborbid watch` as a real process on a real socket to a real daemon:
// lines for people, NDJSON for programs, --until closed, Ctrl-C, errors and
// exit codes, private events, --all-open, and resuming after a lost connection.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CreateAuctionBody } from '../../src/protocol/schemas.js';
import type { Auction } from '../../src/protocol/types.js';
import { type CliProcess, stoppedAfterEach, useCliFixture, useCliUser } from '../helpers/cli.js';
import { BIN } from '../helpers/daemon.js';
import { endIn } from '../helpers/maxima.js';
import { metric, nameLookups } from '../helpers/metrics.js';

import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/poll.js';

const f = useCliFixture();
const seller = useCliUser(f, 'carol');
const running = stoppedAfterEach();

/** Starts `neighborbid watch ...args`, stopped after the test whatever happens. */
function watch(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const p = f.spawn(['watch', ...args], env);
  running.push(p);
  return p;
}

function lot(extra: Partial<CreateAuctionBody> = {}): Promise<Auction> {
  return f.daemon.client(seller.token).createAuction({ title: 'Brass lamp', startPrice: 1000, minIncrement: 100, durationSec: 600, ...extra });
}

const bidder = (name: string) => f.daemon.admin.createUser(name, 10_000);
const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, any>);
/** The items that pass `test`, and the others. */
const apart = <T,>(items: T[], test: (item: T) => boolean): [T[], T[]] => [items.filter(test), items.filter((i) => !test(i))];
const T = '\\d\\d:\\d\\d:\\d\\d';

/** Every open auction cancelled, so that --all-open sees only what a test makes. */
async function cancelAllOpen(): Promise<void> {
  for (;;) {
    const { auctions } = await f.daemon.client().listAuctions({ status: 'open', limit: 200 });
    if (auctions.length === 0) return;
    await Promise.all(auctions.map((a) => f.daemon.admin.cancel(a.id)));
  }
}

/** The daemon's count of open WebSockets, from /metrics. */
function openSockets(): Promise<number> {
  return metric(f.daemon.url, 'nb_ws_sockets');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('watch', () => {
  it('prints a line per bid, extension, sale, close and cancel for people, the same events as NDJSON with --json, and ends with --until closed', async () => {
    const [alice, bob] = [await bidder('alice'), await bidder('bob')];
    // Every bid on the lamp is well inside its soft-close window, so each one extends it
    // (an end moves by a second or more, or not at all: docs/rules.md).
    const lamp = await lot({ durationSec: 3, softCloseSec: 5 });
    const rug = await lot({ title: 'Persian rug', buyNowPrice: 5000 });
    const chair = await lot({ title: 'Oak chair' });
    const vase = await lot({ title: 'Vase', startPrice: 10, minIncrement: 1, durationSec: 6 });
    const ids = [lamp, rug, chair, vase].map((a) => String(a.id));
    const lookups = await nameLookups(f.daemon.url);
    const human = watch([...ids, '--until', 'closed']);
    const json = watch([...ids, '--until', 'closed', '--json']);
    await human.waitForLines(/ watching /, 4);
    await json.waitForLines(/"type":"snapshot"/, 4);

    await f.daemon.client(alice.token).bid(lamp.id, 1000);
    // Three seconds of the window gone before bob bids (the test's clock hook), so his bid moves the end again.
    await endIn(f.daemon.context.sql, lamp.id, 2);
    await f.daemon.client(bob.token).bid(lamp.id, 1100);
    await f.daemon.client(alice.token).buy(rug.id);
    await f.daemon.client(seller.token).cancel(chair.id);

    const h = await human.exit();
    expect(h.code).toBe(0);
    expect(h.stderr).toBe('');
    // How many watch comes as it changes, at times of its own: checked apart.
    const [audience, lines] = apart(h.stdout.trimEnd().split('\n'), (l) => / audience /.test(l));
    for (const l of audience) expect(l).toMatch(new RegExp(`^${T}  #\\d+ +.+ +audience +\\d+ watching$`));
    const of = (a: Auction) => lines.filter((l) => l.includes(` #${a.id} `));
    const row = (a: Auction, title: string, what: string, price: string, leader: string, detail: string) =>
      new RegExp(`^${T}  #${a.id} +${title} +${what} +${price}  ${leader} +${detail}$`);
    expect(of(lamp)).toEqual([
      expect.stringMatching(row(lamp, 'Brass lamp', 'watching', '—', '—', `open, no bids, next bid 1,000, ends ${T}`)),
      expect.stringMatching(row(lamp, 'Brass lamp', 'bid', '1,000', 'alice', '1 bid, next bid 1,100')),
      expect.stringMatching(row(lamp, 'Brass lamp', 'extended', '1,000', 'alice', `soft close: now ends ${T}`)),
      expect.stringMatching(row(lamp, 'Brass lamp', 'bid', '1,100', 'bob', '2 bids, next bid 1,200, alice was outbid')),
      expect.stringMatching(row(lamp, 'Brass lamp', 'extended', '1,100', 'bob', `soft close: now ends ${T}`)),
      expect.stringMatching(row(lamp, 'Brass lamp', 'closed', '1,100', 'bob', 'won by bob')),
    ]);
    expect(of(rug)).toEqual([
      expect.stringMatching(row(rug, 'Persian rug', 'watching', '—', '—', `open, no bids, next bid 1,000, ends ${T}`)),
      expect.stringMatching(row(rug, 'Persian rug', 'sold', '5,000', 'alice', 'bought now by alice')),
    ]);
    expect(of(chair)).toEqual([
      expect.stringMatching(row(chair, 'Oak chair', 'watching', '—', '—', `open, no bids, next bid 1,000, ends ${T}`)),
      expect.stringMatching(row(chair, 'Oak chair', 'cancelled', '—', '—', 'no winner')),
    ]);
    expect(of(vase)).toEqual([
      expect.stringMatching(row(vase, 'Vase', 'watching', '—', '—', `open, no bids, next bid 10, ends ${T}`)),
      expect.stringMatching(row(vase, 'Vase', 'unsold', '—', '—', 'ended without bids')),
    ]);
    expect(lines).toHaveLength(12);
    // Each name was asked for once, as its user first showed up: alice, then bob. The --json watch asked for none.
    expect(await nameLookups(f.daemon.url)).toBe(lookups + 2);
    // Aligned: what happened starts, and the price ends, at the same place on every line.
    const cells = lines.map((l) => /^(.*?  )(watching|bid|extended|sold|closed|unsold|cancelled)( +(?:—|[\d,]+))  /.exec(l)!);
    expect(new Set(cells.map((m) => m[1]!.length)).size).toBe(1);
    expect(new Set(cells.map((m) => m[0].length)).size).toBe(1);

    const j = await json.exit();
    expect(j.code).toBe(0);
    expect(j.stderr).toBe('');
    const [presence, events] = apart(parse(j.stdout.trimEnd().split('\n')), (e) => e.type === 'presence');
    for (const e of presence) expect(e).toEqual({ type: 'presence', auction: expect.any(Number), watching: expect.any(Number) });
    const about = (a: Auction) => events.filter((e) => e.auction === a.id);
    expect(about(lamp).map((e) => [e.type, e.version])).toEqual([
      ['snapshot', 0],
      ['bid', 1],
      ['extended', 2],
      ['bid', 3],
      ['extended', 4],
      ['closed', 5],
    ]);
    expect(about(lamp)[0]).toMatchObject({ state: { id: lamp.id, title: 'Brass lamp', status: 'open' } });
    expect(about(lamp)[3]).toMatchObject({ type: 'bid', amount: 1100, price: 1100, leaderId: bob.id, previousLeaderId: alice.id, minNextBid: 1200 });
    expect(about(lamp)[5]).toMatchObject({ status: 'closed', winnerId: bob.id, price: 1100 });
    expect(about(rug).map((e) => e.type)).toEqual(['snapshot', 'sold']);
    expect(about(rug)[1]).toMatchObject({ status: 'sold', buyerId: alice.id, price: 5000 });
    expect(about(chair)[1]).toMatchObject({ type: 'cancelled', status: 'cancelled', previousLeaderId: null });
    expect(about(vase)[1]).toMatchObject({ type: 'closed', status: 'unsold', winnerId: null, price: null });
    expect(events).toHaveLength(12);
  });

  it('ends at once with --until closed when the auctions had already ended, and says how', async () => {
    const a = await lot();
    await f.daemon.client(seller.token).cancel(a.id);
    const r = await watch([String(a.id), '--until', 'closed']).exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^${T}  #${a.id}  Brass lamp  watching +—  — +already cancelled\\n$`));
  });

  it('stops on Ctrl-C with exit code 130 (SIGTERM: 143), its socket closed', async () => {
    const a = await lot();
    const first = watch([String(a.id)]);
    await first.waitForLines(/ watching /);
    // Earlier tests' watchers have exited; the daemon may take a moment to see their sockets go.
    await waitFor(async () => (await openSockets()) === 1 || undefined, 10_000, 'one open socket: the watcher');
    const interrupted = await first.stop('SIGINT');
    expect(interrupted).toMatchObject({ code: 130, signal: null, stderr: '' });
    expect(interrupted.stdout.trimEnd().split('\n').filter((l) => !/ audience /.test(l))).toHaveLength(1);
    await waitFor(async () => (await openSockets()) === 0 || undefined, 10_000, 'the socket to close');

    const second = watch([String(a.id), '--json']);
    await second.waitForLines(/"type":"snapshot"/);
    expect(await second.stop('SIGTERM')).toMatchObject({ code: 143, signal: null, stderr: '' });
  });

  it('fails with NOT_FOUND (exit 4) when no auction named exists, and warns about the unknown ones otherwise', async () => {
    expect(await watch(['424242']).exit()).toMatchObject({ code: 4, stdout: '', stderr: 'neighborbid: NOT_FOUND: No auction 424242.\n' });
    const both = await watch(['424242', '424243', '--json']).exit();
    expect(both.code).toBe(4);
    expect(both.stderr).toBe('neighborbid: NOT_FOUND: No auction 424242 or 424243.\n');
    // NDJSON all the way: the error document is one line.
    expect(both.stdout).toBe(
      `${JSON.stringify({ error: { auctions: [424242, 424243], code: 'NOT_FOUND', message: 'No auction 424242 or 424243.' } })}\n`,
    );

    const a = await lot();
    await f.daemon.client(seller.token).cancel(a.id);
    const some = await watch([String(a.id), '424242', '--until', 'closed', '--json']).exit();
    expect(some.code).toBe(0);
    expect(some.stderr).toBe('neighborbid: NOT_FOUND: No auction 424242.\n');
    const out = parse(some.stdout.trimEnd().split('\n'));
    expect(out).toEqual([
      { type: 'error', auction: 424242, code: 'NOT_FOUND', message: 'No auction 424242.' },
      expect.objectContaining({ type: 'snapshot', auction: a.id, state: expect.objectContaining({ status: 'cancelled' }) }),
    ]);
  });

  it('gives up on a daemon it cannot reach with exit 6, and on a refused token with exit 5', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const [human, json] = await Promise.all([watch(['1', '--url', url]).exit(), watch(['1', '--url', url, '--json']).exit()]);
    const message = `Cannot reach the daemon at ${url}: connect ECONNREFUSED 127.0.0.1:${port} (tried 4 times).`;
    expect(human).toMatchObject({ code: 6, stdout: '', stderr: `neighborbid: UNREACHABLE: ${message}\n` });
    expect(json.code).toBe(6);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'UNREACHABLE', message, origin: url, problem: `connect ECONNREFUSED 127.0.0.1:${port}`, attempts: 4 },
    });

    const a = await lot();
    const wrong = await watch([String(a.id), '--token', 'nb_u2_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']).exit();
    // The daemon's own refusal, read from the refused upgrade's body.
    expect(wrong).toMatchObject({ code: 5, stdout: '', stderr: 'neighborbid: UNAUTHORIZED: The token is not valid.\n' });
  });

  it("adds the token's user's private outbid and balance events, marked private, and shows them as you", async () => {
    const [dana, erin] = [await bidder('dana'), await bidder('erin')];
    const a = await lot({ title: 'Desk' });
    const mine = watch([String(a.id)], { NEIGHBORBID_TOKEN: dana.token });
    const mineJson = watch([String(a.id), '--json'], { NEIGHBORBID_TOKEN: dana.token });
    const anyone = watch([String(a.id)]);
    await Promise.all([mine.waitForLines(/ watching /), mineJson.waitForLines(/"snapshot"/), anyone.waitForLines(/ watching /)]);

    await f.daemon.client(dana.token).bid(a.id, 1000);
    await f.daemon.client(erin.token).bid(a.id, 1500);
    await mine.waitForLines(/  outbid  /);
    await mine.waitForLines(/  balance  /, 2);
    await mineJson.waitForLines(/"type":"balance"/, 2);
    await anyone.waitForLines(/  bid  /, 2);

    const lines = mine.lines();
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${T}  #${a.id}  Desk  bid +1,000  you +1 bid, next bid 1,100$`)));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${T}  #${a.id}  Desk  bid +1,500  erin    2 bids, next bid 1,600, you were outbid$`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${T}  #${a.id}  Desk  outbid +1,500  erin    private: you were outbid, your hold of 1,000 released$`)),
    );
    expect(lines.filter((l) => /  balance  /.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^${T} +balance +private: balance 10,000, held 1,000, available 9,000$`)),
      expect.stringMatching(new RegExp(`^${T} +balance +private: balance 10,000, held 0, available 10,000$`)),
    ]);
    const privates = parse(mineJson.lines()).filter((e) => e.type === 'outbid' || e.type === 'balance');
    expect(privates).toEqual(
      expect.arrayContaining([
        { type: 'balance', userId: dana.id, balance: 10_000, held: 1000, available: 9000, at: expect.any(String), seq: 1 },
        { type: 'outbid', by: 'bid', auction: a.id, version: 2, at: expect.any(String), price: 1500, leaderId: erin.id, released: 1000, seq: 2 },
        { type: 'balance', userId: dana.id, balance: 10_000, held: 0, available: 10_000, at: expect.any(String), seq: 3 },
      ]),
    );
    expect(privates).toHaveLength(3);
    // Without a token: the public events only.
    expect(anyone.lines().filter((l) => /  (outbid|balance)  /.test(l))).toEqual([]);
    await Promise.all([mine, mineJson, anyone].map((p) => p.stop('SIGINT')));
  });

  it('watches every open auction with --all-open and picks up new ones as they open', async () => {
    await cancelAllOpen();
    const [a, b] = [await lot({ title: 'Lamp A' }), await lot({ title: 'Lamp B' })];
    const over = await lot({ title: 'Cancelled lamp' });
    await f.daemon.client(seller.token).cancel(over.id);
    const w = watch(['--all-open', '--poll', '1s', '--json']);
    const start = parse(await w.waitForLines(/"type":"snapshot"/, 2));
    expect(start.map((s) => s.auction).sort((x, y) => x - y)).toEqual([a.id, b.id]);

    const c = await lot({ title: 'Lamp C' });
    await w.waitForLines((l) => l.includes('"type":"snapshot"') && JSON.parse(l).auction === c.id);
    const bob = await bidder('bob');
    await f.daemon.client(bob.token).bid(c.id, 1200);
    const [bid] = parse(await w.waitForLines(/"type":"bid"/));
    expect(bid).toMatchObject({ auction: c.id, amount: 1200, leaderId: bob.id, version: 1 });
    expect(parse(w.lines()).filter((e) => e.auction === over.id)).toEqual([]);
    const r = await w.stop('SIGINT');
    expect(r).toMatchObject({ code: 130, stderr: '' });
  });

  it('with --all-open --until closed, ends once every open auction has ended, new ones included, or at once when none is open', async () => {
    await cancelAllOpen();
    const none = await watch(['--all-open', '--until', 'closed']).exit();
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'neighborbid: no open auctions yet; new ones will show up here\n' });

    const first = await lot({ title: 'First', durationSec: 5 });
    const w = watch(['--all-open', '--until', 'closed', '--poll', '1s']);
    await w.waitForLines(/ watching /);
    const later = await lot({ title: 'Later', durationSec: 3 });
    const r = await w.exit();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`#${first.id} +First +unsold`));
    expect(r.stdout).toMatch(new RegExp(`#${later.id} +Later +watching`));
    // Seen opening, then ending; or, on a slow machine, found already ended by the last look before leaving.
    expect(r.stdout).toMatch(new RegExp(`#${later.id} +Later +(unsold .*ended without bids|watching .*already ended without bids)`));
    expect((await f.daemon.client().auction(later.id)).status).toBe('unsold');
  });

  it('prints how many watch as it changes: a line for people, a presence object with --json', async () => {
    const a = await lot({ title: 'Watched lamp' });
    const human = watch([String(a.id)]);
    const json = watch([String(a.id), '--json']);
    const [two] = await human.waitForLines(/ audience +2 watching$/);
    expect(two).toMatch(new RegExp(`^${T}  #${a.id}  Watched lamp +audience +2 watching$`));
    const [presence] = await json.waitForLines(/"type":"presence".*"watching":2/);
    expect(JSON.parse(presence!)).toEqual({ type: 'presence', auction: a.id, watching: 2 });
    await json.stop('SIGINT');
    await human.waitForLines(/ audience +1 watching$/);
  });

  it('resumes after a lost connection without a gap or a repeat, with notes on stderr', async () => {
    const a = await lot({ title: 'Resumed lamp' });
    const proxy = await startTcpProxy(f.daemon.url);
    try {
      const w = watch([String(a.id), '--json', '--url', proxy.url]);
      await w.waitForLines(/"type":"snapshot"/);
      await proxy.cut();
      await w.waitForStderr(/connection lost/);
      const [x, y] = [await bidder('x'), await bidder('y')];
      await f.daemon.client(x.token).bid(a.id, 1000);
      await f.daemon.client(y.token).bid(a.id, 1100);
      await proxy.restore();
      await w.waitForStderr(/live again/);
      await f.daemon.client(x.token).bid(a.id, 1200);
      const events = parse(await w.waitForLines(/"type":"bid"/, 3));
      expect(events.map((e) => [e.version, e.amount])).toEqual([
        [1, 1000],
        [2, 1100],
        [3, 1200],
      ]);
      const r = await w.stop('SIGINT');
      expect(r.code).toBe(130);
      // stdout holds events only; the notes went to stderr.
      expect(parse(r.stdout.trimEnd().split('\n')).map((e) => e.type).filter((t) => t !== 'presence')).toEqual(['snapshot', 'bid', 'bid', 'bid']);
      expect(r.stderr).toMatch(/^neighborbid: connection lost \(.*\); reconnecting…\n(neighborbid: still reconnecting .*\n)*neighborbid: live again; resuming 1 auction from the last event seen\n$/);
    } finally {
      await proxy.close();
    }
  });

  it('colours its lines only on a terminal, and never with NO_COLOR', async () => {
    const a = await lot();
    await f.daemon.client(seller.token).cancel(a.id);
    const onTerminal = async (env: NodeJS.ProcessEnv) => {
      const command = [process.execPath, BIN, 'watch', String(a.id), '--until', 'closed'].map((x) => `'${x}'`).join(' ');
      const r = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
        env: { PATH: process.env.PATH, ...f.env, TERM: 'xterm', ...env },
        timeout: 30_000,
      });
      return r.stdout;
    };
    expect(await onTerminal({})).toContain('\u001b[1mwatching');
    const plain = await onTerminal({ NO_COLOR: '1' });
    expect(plain).toContain('watching');
    expect(plain).not.toContain('\u001b[');
    const piped = await watch([String(a.id), '--until', 'closed']).exit();
    expect(piped.stdout).toContain('watching');
    expect(piped.stdout).not.toContain('\u001b[');
  });
});
