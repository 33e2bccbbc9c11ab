// `neighborbid auction create | list | show | cancel` as real processes against a real daemon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedUser } from '../../src/protocol/types.js';
import { startCliFixture, type CliFixture } from '../helpers/cli.js';
import { nameLookups } from '../helpers/metrics.js';
import { displayWidth } from '../../src/format/text.js';

let f: CliFixture;
let seller: CreatedUser;
let bidder: CreatedUser;

beforeAll(async () => {
  f = await startCliFixture();
  seller = await f.daemon.admin.createUser('seller');
  bidder = await f.daemon.admin.createUser('bidder', 1_000_000);
});

afterAll(async () => {
  await f?.close();
});

const asSeller = () => ({ NEIGHBORBID_TOKEN: seller.token });


describe('auction create', () => {
  it('creates an auction from human amounts and durations and shows it', async () => {
    const r = await f.run(
      ['auction', 'create', '--title', 'Brass lamp', '--start', '1,000', '--increment', '100', '--duration', '10m',
        '--buy-now', '50_000', '--soft-close', '2m'],
      asSeller(),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const id = Number(/^Created auction (\d+)\.$/m.exec(r.stdout)?.[1]);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toBe(`Auction ${id}: Brass lamp`);
    expect(lines.slice(2, 12)).toEqual([
      'status        open',
      'seller        you',
      'price         no bids yet',
      'next minimum  1,000',
      'start price   1,000',
      'increment     100',
      'reserve       none',
      'buy now       50,000, until bidding reaches it: available',
      'soft close    2m',
      expect.stringMatching(/^ends          \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (10m|9m \d+s)\)$/),
    ]);
    const a = await f.daemon.client().auction(id);
    expect(a).toMatchObject({ title: 'Brass lamp', startPrice: 1000, minIncrement: 100, buyNowPrice: 50_000, softCloseSec: 120 });
    const length = Date.parse(a.endsAt) - Date.parse(a.createdAt);
    expect(length).toBeGreaterThanOrEqual(600_000 - 1000);
    expect(length).toBeLessThanOrEqual(600_000 + 1000);
  });

  it('prints the API object with --json and only the id with --quiet', async () => {
    const endsAt = new Date(Date.now() + 86_400_000).toISOString();
    const j = await f.json(['auction', 'create', '--title', 'Clock', '--start', '500', '--increment', '5', '--ends-at', endsAt], asSeller());
    expect(j.code).toBe(0);
    expect(j.body).toMatchObject({ title: 'Clock', status: 'open', startPrice: 500, minIncrement: 5, buyNowPrice: null, softCloseSec: null, endsAt, sellerId: seller.id, version: 0 });
    // Shown, it also says how many watch it (nobody): the one field a creation's answer has not.
    expect({ ...j.body, watching: 0 }).toEqual(await f.daemon.client().auction(j.body.id).then(({ recentBids, ...a }) => a));

    const q = await f.run(['auction', 'create', '--title', 'Vase', '--start', '1', '--increment', '1', '--duration', '1h30m', '-q'], asSeller());
    expect(q.code).toBe(0);
    expect(q.stdout).toMatch(/^\d+\n$/);
    expect((await f.daemon.client().auction(Number(q.stdout))).title).toBe('Vase');
  });

  it('reads an --ends-at without an offset as local time', async () => {
    const at = new Date(Date.now() + 2 * 86_400_000);
    at.setUTCSeconds(0, 0);
    // Tokyo is UTC+9 all year: 09:00 there is 00:00 UTC.
    const tokyo = new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 16);
    const j = await f.json(['auction', 'create', '--title', 'Tea set', '--start', '1', '--increment', '1', '--ends-at', tokyo], { ...asSeller(), TZ: 'Asia/Tokyo' });
    expect(j.code).toBe(0);
    expect(j.body.endsAt).toBe(at.toISOString());
  });

  it('refuses bad input with a usage error (exit 2) and creates nothing', async () => {
    const before = (await f.daemon.client().listAuctions({ status: 'all' })).auctions.length;
    const base = ['auction', 'create', '--title', 'X', '--start', '100', '--increment', '10'];
    const cases: [string[], RegExp][] = [
      [base, /^neighborbid: INVALID_INPUT: Say when it ends: --duration \(e\.g\. 10m\) or --ends-at/],
      [[...base, '--duration', '10m', '--ends-at', '2030-01-01T00:00:00Z'], /option '--duration <duration>' cannot be used with option '--ends-at <time>'/],
      [[...base, '--duration', '10'], /invalid --duration '10': a duration is a number and a unit, such as 90s, 10m, 2h or 1h30m/],
      [[...base, '--duration', '1.5h'], /invalid --duration '1\.5h'/],
      [[...base, '--duration', '10m', '--soft-close', '2 m'], /invalid --soft-close '2 m'/],
      [[...base, '--duration', '10m', '--buy-now', '5.000'], /invalid --buy-now '5\.000': an amount is a whole number/],
      [[...base, '--ends-at', 'tomorrow'], /invalid --ends-at 'tomorrow': a time is ISO 8601/],
      [['auction', 'create', '--start', '1', '--increment', '1', '--duration', '1m'], /required option '--title <text>' not specified/],
      // Validated by the daemon, reported the same way.
      [[...base, '--duration', '10m', '--buy-now', '50'], /^neighborbid: INVALID_INPUT: .*buyNowPrice must be at least startPrice/],
      [[...base, '--ends-at', '2001-01-01T00:00:00Z'], /^neighborbid: INVALID_INPUT: /],
    ];
    for (const [args, message] of cases) {
      const r = await f.run(args, asSeller());
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
    const j = await f.json([...base, '--duration', '0s'], asSeller());
    expect(j.code).toBe(2);
    expect(j.body.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await f.daemon.client().listAuctions({ status: 'all' })).auctions).toHaveLength(before);
  });

  it('needs a user token (exit 5)', async () => {
    const r = await f.run(['auction', 'create', '--title', 'X', '--start', '1', '--increment', '1', '--duration', '1m']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^neighborbid: UNAUTHORIZED: This needs a user token/);
  });
});

describe('auction list', () => {
  it('lists open auctions in an aligned table, and the API page with --json', async () => {
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Listed rug', startPrice: 2000, minIncrement: 100, durationSec: 300 });
    await f.daemon.client(bidder.token).bid(a.id, 123_456);
    const lookups = await nameLookups(f.daemon.url);
    const r = await f.run(['auction', 'list']);
    // Every leader on the page, named in one request.
    expect(await nameLookups(f.daemon.url)).toBe(lookups + 1);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const header = lines[0]!;
    expect(header).toMatch(/^ID  TITLE\s+STATUS\s+PRICE  BIDS  NEXT MIN  BUY NOW  LEADER\s+ENDS$/);
    const row = lines.find((l) => l.includes('Listed rug'))!;
    // Left-aligned columns start under their header, right-aligned ones end under it.
    expect(row.indexOf('open')).toBe(header.indexOf('STATUS'));
    expect(row.indexOf('123,456') + '123,456'.length).toBe(header.indexOf('PRICE') + 'PRICE'.length);
    expect(row.indexOf('123,556') + '123,556'.length).toBe(header.indexOf('NEXT MIN') + 'NEXT MIN'.length);
    expect(row.indexOf('bidder')).toBe(header.indexOf('LEADER'));
    expect(row).toMatch(/in (5m|4m \d+s)$/);
    // Open auctions come soonest-ending first: the 5-minute one before the 10-minute one.
    expect(lines.findIndex((l) => l.includes('Listed rug'))).toBeLessThan(lines.findIndex((l) => l.includes('Brass lamp')));
    for (const l of lines.slice(1)) expect(l).toMatch(/^\s*\d+  /);

    const j = await f.json(['auction', 'list']);
    expect(j.body).toEqual(await f.daemon.client().listAuctions());
    expect(await nameLookups(f.daemon.url)).toBe(lookups + 1);
  });

  it('lines up titles and names of CJK characters and emoji by their width on screen', async () => {
    const c = f.daemon.client(seller.token);
    const yamada = await f.daemon.admin.createUser('山田太郎', 1_000_000);
    const titles = ['日本の茶碗と急須', '🎸 エレキギター 👨‍👩‍👧', '古い柱時計と置物のセット、とても美しい骨董品です、一点物', 'Wide test rug'];
    for (const [i, title] of titles.entries()) {
      const a = await c.createAuction({ title, startPrice: 100, minIncrement: 10, durationSec: 3000 + i });
      await f.daemon.client(yamada.token).bid(a.id, 1000 * (i + 1));
    }
    const r = await f.run(['auction', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const header = lines[0]!;
    const rows = titles.map((t) => lines.find((l) => l.includes(t.slice(0, 4)))!);
    /** The display column where `text` starts on the line. */
    const at = (line: string, text: string) => displayWidth(line.slice(0, line.indexOf(text)));
    const ends = (line: string, text: string) => at(line, text) + displayWidth(text);
    expect(rows.map((row) => at(row, '  open  ') + 2)).toEqual(rows.map(() => at(header, 'STATUS')));
    expect(rows.map((row, i) => ends(row, `${i + 1},000`))).toEqual(rows.map(() => ends(header, 'PRICE')));
    expect(rows.map((row) => at(row, '山田太郎'))).toEqual(rows.map(() => at(header, 'LEADER')));
    expect(rows.map((row) => at(row, 'in '))).toEqual(rows.map(() => at(header, 'ENDS')));
    // The long title is cut to at most 40 columns with an ellipsis: one more wide character would make 41.
    expect(rows[2]).toContain('古い柱時計と置物のセット、とても美しい…  open');
    expect(displayWidth('古い柱時計と置物のセット、とても美しい…')).toBe(39);
  });

  it('filters by status and pages with --limit and --cursor', async () => {
    const c = f.daemon.client(seller.token);
    const gone = await c.createAuction({ title: 'Withdrawn chair', startPrice: 10, minIncrement: 1, durationSec: 600 });
    await c.cancel(gone.id);
    const cancelled = await f.run(['auction', 'list', '--status', 'cancelled']);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('Withdrawn chair');
    expect(cancelled.stdout).toContain('cancelled');
    expect(cancelled.stdout).not.toContain('Brass lamp');

    const none = await f.run(['auction', 'list', '--status', 'sold']);
    expect(none).toEqual({ code: 0, stdout: 'No sold auctions.\n', stderr: '' });

    const all = await f.json(['auction', 'list', '--status', 'all']);
    const total = all.body.auctions.length;
    expect(total).toBeGreaterThan(3);

    const page1 = await f.run(['auction', 'list', '--status', 'all', '--limit', '2']);
    const cursor = /^More: neighborbid auction list --status all --cursor (\S+)$/m.exec(page1.stdout)?.[1];
    expect(cursor).toBeDefined();
    expect(page1.stdout.trimEnd().split('\n')).toHaveLength(4);
    const page2 = await f.json(['auction', 'list', '--status', 'all', '--limit', '200', '--cursor', cursor!]);
    expect(page2.body.auctions).toHaveLength(total - 2);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('refuses a bad --status or --limit (exit 2)', async () => {
    const status = await f.run(['auction', 'list', '--status', 'finished']);
    expect(status.code).toBe(2);
    expect(status.stderr).toBe(
      "neighborbid: INVALID_INPUT: invalid --status 'finished': Allowed choices are open, sold, closed, unsold, cancelled, all (see 'neighborbid auction list --help').\n",
    );
    for (const limit of ['0', '201', 'ten']) {
      const r = await f.run(['auction', 'list', '--limit', limit]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`invalid --limit '${limit}': the limit is a whole number from 1 to 200`);
    }
  });

  it('shows an auction that ended unsold under --status unsold', async () => {
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Brief lot', startPrice: 10, minIncrement: 1, durationSec: 1 });
    for (let i = 0; i < 100 && (await f.daemon.client().auction(a.id)).status === 'open'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await f.run(['auction', 'list', '--status', 'unsold']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^\\s*${a.id}  Brief lot\\s+unsold .*(now|ago)$`, 'm'));
  });
});

describe('auction show', () => {
  it('shows the auction and its recent bids, newest first; --json is the API object', async () => {
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Oak desk', startPrice: 1000, minIncrement: 50, durationSec: 900 });
    const other = await f.daemon.admin.createUser('other', 100_000);
    await f.daemon.client(bidder.token).bid(a.id, 1000);
    await f.daemon.client(other.token).bid(a.id, 1050);
    await f.daemon.client(bidder.token).bid(a.id, 12_000);

    const lookups = await nameLookups(f.daemon.url);
    const r = await f.run(['auction', 'show', String(a.id)]);
    expect(r.code).toBe(0);
    // The seller and both bidders, named in one request.
    expect(await nameLookups(f.daemon.url)).toBe(lookups + 1);
    expect(r.stdout).toContain(`Auction ${a.id}: Oak desk\n`);
    expect(r.stdout).toContain('seller        seller\n');
    expect(r.stdout).toContain('price         12,000 (leader bidder, 3 bids)\n');
    expect(r.stdout).toContain('next minimum  12,050\n');
    expect(r.stdout).toContain('version       3\n');
    const bids = r.stdout.split('Recent bids\n')[1]!.trimEnd().split('\n');
    expect(bids[0]).toMatch(/^BID  BIDDER\s+AMOUNT  AT$/);
    expect(bids.slice(1).map((l) => l.trim().split(/\s+/).slice(1, 3))).toEqual([
      ['bidder', '12,000'],
      ['other', '1,050'],
      ['bidder', '1,000'],
    ]);
    // Amounts are right-aligned under their header.
    const amountEnd = bids[0]!.indexOf('AMOUNT') + 'AMOUNT'.length;
    for (const l of bids.slice(1)) expect(l[amountEnd - 1]).toMatch(/\d/);

    const j = await f.json(['auction', 'show', String(a.id)]);
    expect(j.body).toEqual(await f.daemon.client().auction(a.id));
    // --json prints the API's object as it is: no names to look up.
    expect(await nameLookups(f.daemon.url)).toBe(lookups + 1);
  });

  it('answers NOT_FOUND (exit 4) and a usage error for a bad id (exit 2)', async () => {
    const r = await f.run(['auction', 'show', '424242']);
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'neighborbid: NOT_FOUND: No auction 424242.\n' });
    const j = await f.json(['auction', 'show', '424242']);
    expect(j.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No auction 424242.', auction: 424242 } });
    const bad = await f.run(['auction', 'show', '7x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("neighborbid: INVALID_INPUT: invalid id '7x': an id is a positive whole number (see 'neighborbid auction show --help').\n");
  });
});

describe('auction cancel', () => {
  it('lets the seller cancel an auction without bids', async () => {
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Spare lamp', startPrice: 10, minIncrement: 1, durationSec: 600 });
    const r = await f.run(['auction', 'cancel', String(a.id)], asSeller());
    expect(r).toEqual({ code: 0, stdout: `Cancelled auction ${a.id} "Spare lamp".\n`, stderr: '' });
    const again = await f.json(['auction', 'cancel', String(a.id)], asSeller());
    expect(again.code).toBe(3);
    expect(again.body.error).toMatchObject({ code: 'AUCTION_CLOSED', status: 'cancelled', message: 'The auction is cancelled.' });
    expect(again.stderr).toBe('neighborbid: AUCTION_CLOSED: The auction is cancelled.\n');
  });

  it('refuses the seller once there are bids (exit 3), lets the admin cancel and release the hold', async () => {
    const a = await f.daemon.client(seller.token).createAuction({ title: 'Disputed map', startPrice: 100, minIncrement: 1, durationSec: 600 });
    await f.daemon.client(bidder.token).bid(a.id, 700);
    const held = (await f.daemon.client(bidder.token).me()).held;

    const r = await f.run(['auction', 'cancel', String(a.id)], asSeller());
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('neighborbid: CANNOT_CANCEL: The auction has bids; only an admin can cancel it now.\n');

    const notSeller = await f.run(['auction', 'cancel', String(a.id)], { NEIGHBORBID_TOKEN: bidder.token });
    expect(notSeller.code).toBe(5);
    expect(notSeller.stderr).toMatch(/^neighborbid: FORBIDDEN: /);

    const j = await f.json(['auction', 'cancel', String(a.id), '--admin']);
    expect(j.code).toBe(0);
    expect(j.body.auction).toMatchObject({ id: a.id, status: 'cancelled' });
    expect((await f.daemon.client(bidder.token).me()).held).toBe(held - 700);
    expect((await f.daemon.admin.audit()).ok).toBe(true);
  });

  it('answers NOT_FOUND (exit 4) for a missing auction', async () => {
    const r = await f.run(['auction', 'cancel', '424242'], asSeller());
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'neighborbid: NOT_FOUND: No auction 424242.\n' });
  });
});
