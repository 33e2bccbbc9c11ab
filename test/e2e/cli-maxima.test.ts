// Maximum bids, the increment table, the reserve and buy-now-until from the
// command line: `bid --max`, `bids`, `auction create/show` and `watch`, as real
// processes against a real daemon. A working maximum is printed only to its bidder.
import { describe, expect, it } from 'vitest';
import type { CreateAuctionBody } from '../../src/protocol/schemas.js';
import type { Auction } from '../../src/protocol/types.js';
import { as, brassLamp, useCliMarket } from '../helpers/cli.js';

const m = useCliMarket();
const { f, seller, alice, bob } = m;

const lot = (extra: Partial<CreateAuctionBody> = {}): Promise<Auction> => brassLamp(m, extra);

describe('bid --max', () => {
  it('leads at the lowest price, says the bidder their max, and answers a lower bid by itself', async () => {
    const a = await lot();
    const placed = await f.run(['bid', String(a.id), '--max', '5,000'], as(alice));
    expect(placed).toEqual({
      code: 0,
      stderr: '',
      stdout: expect.stringMatching(
        new RegExp(`^Maximum 5,000 on auction ${a.id} "Brass lamp": you lead at 1,000, your max 5,000; it bids for you up to that; it ends in (10m|9m \\d+s)\\.\\n$`),
      ),
    });

    // Bob's plain bid is answered at once by Alice's maximum: he learns the price, never her maximum.
    const answered = await f.run(['bid', String(a.id), '2,000'], as(bob));
    expect(answered.code).toBe(0);
    // The leader named as the rest of the CLI names users: by name, not by id.
    expect(answered.stdout).toMatch(
      new RegExp(`^Bid \\d+: 2,000 on auction ${a.id} "Brass lamp"\\. The leader is alice \\(a maximum answered your bid at once\\); the next bid must be at least 2,200;`),
    );
    expect(answered.stdout).not.toContain(`user ${alice.id}`);
    expect(answered.stdout).not.toContain('5,000');

    // Bob's maximum above hers takes the lead at hers plus one increment.
    const over = await f.json(['bid', String(a.id), '--max', '7,000'], as(bob));
    expect(over.code).toBe(0);
    expect(over.body).toMatchObject({ leading: true, yourMax: 7000, auction: { currentPrice: 5100, leaderId: bob.id } });
    const under = await f.run(['bid', String(a.id), '--max', '6,000'], as(alice));
    expect(under.stdout).toMatch(new RegExp(`^Maximum 6,000 on auction ${a.id} "Brass lamp": you are outbid: another maximum answered, the price is 6,100; the next bid must be at least 6,200;`));
    expect(under.stdout).not.toContain('7,000');
  });

  it('raises its own maximum without moving the price, and says when the reserve is not met', async () => {
    const a = await lot({ reservePrice: 50_000 });
    expect((await f.run(['bid', String(a.id), '--max', '3,000'], as(alice))).stdout).toMatch(
      /: you lead at 1,000, your max 3,000; the reserve is not met yet; it bids for you/,
    );
    const raised = await f.json(['bid', String(a.id), '--max', '4,000'], as(alice));
    expect(raised.body).toMatchObject({ leading: true, yourMax: 4000, auction: { currentPrice: 1000, reserveMet: false } });
  });

  it('is one of an amount, --min and --max, and its amount is written like any other', async () => {
    const a = await lot();
    const sentence = "neighborbid: INVALID_INPUT: Give an amount, --min or --max, only one (see 'neighborbid bid --help').\n";
    for (const args of [['1000', '--max', '2000'], ['--min', '--max', '2000']]) {
      expect(await f.run(['bid', String(a.id), ...args], as(alice))).toEqual({ code: 2, stdout: '', stderr: sentence });
    }
    const bad = await f.run(['bid', String(a.id), '--max', '1.5'], as(alice));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --max '1\.5': an amount is a whole number/);
    const poor = await f.daemon.admin.createUser('poor', 1500);
    const funds = await f.run(['bid', String(a.id), '--max', '2,000'], as(poor));
    expect(funds).toEqual({ code: 3, stdout: '', stderr: 'neighborbid: INSUFFICIENT_FUNDS: Your available funds (1,500) do not cover this amount.\n' });
    expect((await f.daemon.client().auction(a.id)).bidCount).toBe(0);
  });
});

describe('bids', () => {
  it("lists my auctions with my maximum, the price, leading or outbid; never another bidder's maximum", async () => {
    const carol = await f.daemon.admin.createUser('carol', 1_000_000);
    const dave = await f.daemon.admin.createUser('dave', 1_000_000);
    const lamp = await lot({ title: 'Lamp for bids' });
    const rug = await lot({ title: 'Rug for bids', reservePrice: 90_000 });
    await f.daemon.client(carol.token).bidMax(lamp.id, 8_000);
    await f.daemon.client(dave.token).bid(lamp.id, 1_500);
    await f.daemon.client(dave.token).bidMax(rug.id, 2_000);

    const mine = await f.run(['bids'], as(carol));
    expect(mine.code).toBe(0);
    const rows = mine.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID +TITLE +YOUR MAX +PRICE +STANDING +ENDS$/);
    expect(rows.slice(1)).toEqual([expect.stringMatching(new RegExp(`^ *${lamp.id}  Lamp for bids +8,000 +1,600  leading +in (10m|9m)`))]);

    const theirs = await f.run(['bids'], as(dave));
    expect(theirs.stdout).toMatch(new RegExp(`${rug.id}  Rug for bids +2,000 +1,000  leading, reserve not met `));
    expect(theirs.stdout).toMatch(new RegExp(`${lamp.id}  Lamp for bids +1,500 +1,600  outbid `));
    expect(theirs.stdout).not.toContain('8,000');

    const json = await f.json(['bids'], as(carol));
    expect(json.body).toEqual({ bids: [expect.objectContaining({ auctionId: lamp.id, yourMax: 8000, currentPrice: 1600, leading: true })] });
    expect((await f.run(['bids'], as(seller))).stdout).toBe('No open auctions with a bid of yours.\n');
  });
});

describe('auction create and show', () => {
  it('creates with the standard table, a reserve and buy now until the first bid, and shows them', async () => {
    const made = await f.json(
      ['auction', 'create', '--title', 'Bike', '--start', '1,000', '--increments', 'standard', '--reserve', '4,321', '--buy-now', '9,000', '--buy-now-until', 'first-bid', '--duration', '10m'],
      as(seller),
    );
    expect(made.code).toBe(0);
    expect(made.body).toMatchObject({ minIncrement: null, hasReserve: true, reserveMet: false, buyNowPrice: 9000, buyNowUntil: 'firstBid', buyNowAvailable: true });
    expect(made.body.increments[0]).toEqual({ from: 0, step: 5 });
    expect(JSON.stringify(made.body)).not.toContain('4321');

    const before = await f.run(['auction', 'show', String(made.body.id)]);
    expect(before.stdout).toMatch(/\nincrement +5 from 0, 25 from 100, 50 from 500, 100 from 2,500, /);
    expect(before.stdout).toMatch(/\nreserve +not met\n/);
    expect(before.stdout).toMatch(/\nbuy now +9,000, until the first bid: available\n/);

    await f.run(['bid', String(made.body.id), '--max', '6,000'], as(alice));
    const after = await f.run(['auction', 'show', String(made.body.id)]);
    // A maximum at or above the reserve takes the price straight to it.
    expect(after.stdout).toMatch(/\nprice +4,321 \(leader alice, 1 bid\)\n/);
    expect(after.stdout).toMatch(/\nreserve +met\n/);
    expect(after.stdout).toMatch(/\nbuy now +9,000, until the first bid: gone\n/);
    expect(after.stdout).not.toContain('6,000');
  });

  it('takes a JSON table and refuses a bad one, or both kinds of increment, before sending anything', async () => {
    const ok = await f.json(['auction', 'create', '--title', 'Desk', '--start', '100', '--increments', '[{"from":0,"step":10},{"from":1000,"step":50}]', '--duration', '1h'], as(seller));
    expect(ok.body).toMatchObject({ minIncrement: null, increments: [{ from: 0, step: 10 }, { from: 1000, step: 50 }] });
    const see = "(see 'neighborbid auction create --help').\n";
    const base = ['auction', 'create', '--title', 'Desk', '--start', '100', '--duration', '1h'];
    expect(await f.run([...base, '--increments', '[{"from":5,"step":10}]'], as(seller))).toEqual({
      code: 2, stdout: '', stderr: `neighborbid: INVALID_INPUT: --increments[0].from must be 0 ${see}`,
    });
    expect((await f.run([...base, '--increments', 'steep'], as(seller))).stderr).toBe(
      `neighborbid: INVALID_INPUT: --increments must be a list of {from, step} ${see}`,
    );
    expect((await f.run([...base, '--increment', '10', '--increments', 'standard'], as(seller))).stderr).toBe(
      `neighborbid: INVALID_INPUT: Give --increment or --increments, not both ${see}`,
    );
    expect((await f.run([...base, '--increment', '10', '--buy-now-until', 'never'], as(seller))).code).toBe(2);
    const low = await f.run([...base, '--increment', '10', '--reserve', '50'], as(seller));
    expect(low.code).toBe(2);
    expect(low.stderr).toMatch(/reservePrice must be at least startPrice/);
  });
});

describe('watch', () => {
  it('marks automatic bids and says when the reserve is met', async () => {
    const a = await lot({ title: 'Clock', reservePrice: 3000 });
    const w = f.spawn(['watch', String(a.id)]);
    try {
      await w.waitForLines(/ watching /);
      expect(w.lines()[0]).toMatch(/open, no bids, next bid 1,000, reserve not met, ends /);
      await f.daemon.client(alice.token).bidMax(a.id, 2500);
      await f.daemon.client(bob.token).bid(a.id, 1500);
      const [auto] = await w.waitForLines(/ bid \(auto\) /);
      expect(auto).toMatch(/ bid \(auto\) +1,600 +alice +3 bids, next bid 1,700$/);
      expect(w.stdout()).not.toContain('2,500');
      await f.daemon.client(bob.token).bid(a.id, 3000);
      const [met] = await w.waitForLines(/reserve met$/);
      expect(met).toMatch(/ bid +3,000 +bob +5 bids, next bid 3,100, alice was outbid, reserve met$/);
    } finally {
      await w.stop();
    }
  });
});
