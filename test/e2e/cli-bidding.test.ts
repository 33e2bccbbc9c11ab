// `neighborbid bid` and `buy` as real processes against a real daemon,
// including retries through a proxy that loses answers: a retried bid or buy
// must never act twice.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { CreateAuctionBody } from '../../src/protocol/schemas.js';
import type { Auction } from '../../src/protocol/types.js';
import { as, brassLamp, useCliMarket } from '../helpers/cli.js';
import { startTestDaemon } from '../helpers/daemon.js';

const m = useCliMarket();
const { f, seller, alice, bob } = m;

const lot = (extra: Partial<CreateAuctionBody> = {}): Promise<Auction> => brassLamp(m, extra);

describe('bid', () => {
  it('places a bid and says who leads, what is next and when it ends', async () => {
    const a = await lot();
    const r = await f.run(['bid', String(a.id), '1,000'], as(alice));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      new RegExp(`^Bid \\d+: 1,000 on auction ${a.id} "Brass lamp"\\. You lead; the next bid must be at least 1,100; it ends in (10m|9m \\d+s)\\.\\n$`),
    );
    const j = await f.json(['bid', String(a.id), '1_500'], as(bob));
    expect(j.code).toBe(0);
    expect(j.body.bid).toMatchObject({ auctionId: a.id, bidderId: bob.id, amount: 1500, version: 2 });
    expect(j.body.auction).toMatchObject({ id: a.id, currentPrice: 1500, leaderId: bob.id, minNextBid: 1600, bidCount: 2 });
  });

  it('bids the minimum next bid with --min', async () => {
    const a = await lot();
    const first = await f.json(['bid', String(a.id), '--min'], as(alice));
    expect(first.body.bid.amount).toBe(1000);
    const second = await f.run(['bid', String(a.id), '--min'], as(bob));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Bid \d+: 1,100 on auction/);
    expect((await f.daemon.client().auction(a.id)).currentPrice).toBe(1100);
  });

  it('reports each rule it breaks as exit 3 with the code on stderr and in the JSON', async () => {
    const a = await lot();
    await f.daemon.client(alice.token).bid(a.id, 1000);

    const low = await f.run(['bid', String(a.id), '1,050'], as(bob));
    expect(low).toEqual({ code: 3, stdout: '', stderr: 'neighborbid: BID_TOO_LOW: The bid is below the minimum next bid of 1,100.\n' });
    const lowJson = await f.json(['bid', String(a.id), '1,050'], as(bob));
    expect(lowJson.code).toBe(3);
    expect(lowJson.body).toEqual({ error: { code: 'BID_TOO_LOW', message: 'The bid is below the minimum next bid of 1,100.', minimum: 1100 } });
    expect(lowJson.stderr).toBe('neighborbid: BID_TOO_LOW: The bid is below the minimum next bid of 1,100.\n');

    const self = await f.run(['bid', String(a.id), '5000'], as(seller));
    expect(self).toEqual({ code: 3, stdout: '', stderr: 'neighborbid: SELF_BID: You cannot bid on or buy your own auction.\n' });

    const poor = await f.daemon.admin.createUser('poor', 1500);
    const funds = await f.json(['bid', String(a.id), '2,000'], as(poor));
    expect(funds.code).toBe(3);
    expect(funds.body.error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', available: 1500 });
    expect(funds.stderr).toBe('neighborbid: INSUFFICIENT_FUNDS: Your available funds (1,500) do not cover this amount.\n');

    await f.daemon.admin.cancel(a.id);
    const closed = await f.run(['bid', String(a.id), '9,000'], as(bob));
    expect(closed).toEqual({ code: 3, stdout: '', stderr: 'neighborbid: AUCTION_CLOSED: The auction is cancelled.\n' });
    const closedMin = await f.json(['bid', String(a.id), '--min'], as(bob));
    expect(closedMin.code).toBe(3);
    expect(closedMin.body.error).toEqual({ code: 'AUCTION_CLOSED', message: 'The auction is cancelled.', status: 'cancelled' });
  });

  it('answers NOT_FOUND (exit 4), auth (exit 5) and usage (exit 2) errors in one line', async () => {
    expect(await f.run(['bid', '424242', '100'], as(alice))).toEqual({ code: 4, stdout: '', stderr: 'neighborbid: NOT_FOUND: No auction 424242.\n' });
    expect((await f.run(['bid', '424242', '--min'], as(alice))).code).toBe(4);
    const a = await lot();
    expect((await f.run(['bid', String(a.id), '1000'])).code).toBe(5);
    const wrong = await f.run(['bid', String(a.id), '1000', '--token', 'nb_u2_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(wrong).toEqual({ code: 5, stdout: '', stderr: 'neighborbid: UNAUTHORIZED: The token is not valid.\n' });
    const admin = await f.run(['bid', String(a.id), '1000', '--token', f.daemon.adminToken]);
    expect(admin.code).toBe(5);

    const both = await f.run(['bid', String(a.id), '1000', '--min'], as(alice));
    expect(both).toEqual({ code: 2, stdout: '', stderr: "neighborbid: INVALID_INPUT: Give an amount, --min or --max, only one (see 'neighborbid bid --help').\n" });
    expect((await f.run(['bid', String(a.id)], as(alice))).code).toBe(2);
    for (const bad of ['10.00', '1,0000', '1 000', '0x10', '+5']) {
      const r = await f.run(['bid', String(a.id), bad], as(alice));
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toBe(
        `neighborbid: INVALID_INPUT: invalid amount '${bad}': an amount is a whole number of at least 1, written 10000, 10_000 or 10,000 (see 'neighborbid bid --help').\n`,
      );
    }
    expect((await f.daemon.client().auction(a.id)).bidCount).toBe(0);
  });

  it('replays the first answer for a repeated --idempotency-key and refuses the key for another bid', async () => {
    const a = await lot();
    const args = ['bid', String(a.id), '1200', '--idempotency-key', 'my-bid-1'];
    const first = await f.json(args, as(alice));
    const again = await f.json(args, as(alice));
    expect(first.code).toBe(0);
    expect(again.code).toBe(0);
    expect(again.body).toEqual(first.body);
    expect((await f.daemon.client().auction(a.id)).bidCount).toBe(1);

    const conflict = await f.run(['bid', String(a.id), '1300', '--idempotency-key', 'my-bid-1'], as(alice));
    expect(conflict.code).toBe(3);
    expect(conflict.stderr).toBe('neighborbid: IDEMPOTENCY_CONFLICT: This Idempotency-Key was used with a different request.\n');
  });
});

/**
 * A proxy in front of the daemon that, per request, passes it on, passes it on
 * but loses the answer (the daemon acted; the client hears nothing), or
 * answers 503 UNAVAILABLE without passing it on. Records each Idempotency-Key.
 */
async function flakyProxy(plan: (n: number) => 'pass' | 'lose' | 'unavailable'): Promise<{ url: string; keys: string[]; server: Server }> {
  const keys: string[] = [];
  const target = new URL(f.daemon.url);
  const server = createServer((req, res) => {
    const n = keys.length;
    keys.push(String(req.headers['idempotency-key'] ?? ''));
    const step = req.method === 'POST' ? plan(n) : 'pass';
    if (step === 'unavailable') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'The database is unavailable; try again shortly.' } }));
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        if (step === 'lose') {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys, server };
}

describe('retries with one idempotency key', () => {
  it('retries a bid whose answer was lost and bids only once', async () => {
    const a = await lot();
    const proxy = await flakyProxy((n) => (n === 0 ? 'lose' : 'pass'));
    try {
      const r = await f.run(['bid', String(a.id), '1000', '--url', proxy.url, '--verbose'], as(alice));
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Bid \d+: 1,000 on auction/);
      expect(r.stderr).toMatch(/^neighborbid: UNREACHABLE; sending the bid again with the same key \(retry 1\)\n$/);
      expect(proxy.keys).toHaveLength(2);
      expect(proxy.keys[0]).toMatch(/^nb-cli-[0-9a-f-]{36}$/);
      expect(proxy.keys[1]).toBe(proxy.keys[0]);
    } finally {
      proxy.server.close();
    }
    const after = await f.daemon.client().auction(a.id);
    expect(after.bidCount).toBe(1);
    expect(after.recentBids.map((b) => b.amount)).toEqual([1000]);
  });

  it('retries after UNAVAILABLE, and uses a fresh key for each command run', async () => {
    const a = await lot();
    const proxy = await flakyProxy((n) => (n === 0 || n === 1 ? 'unavailable' : 'pass'));
    try {
      const r = await f.json(['bid', String(a.id), '1000', '--url', proxy.url], as(alice));
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.body.bid.amount).toBe(1000);
      expect(new Set(proxy.keys).size).toBe(1);
      const next = await f.json(['bid', String(a.id), '1100', '--url', proxy.url], as(bob));
      expect(next.code).toBe(0);
      expect(proxy.keys).toHaveLength(4);
      expect(proxy.keys[3]).not.toBe(proxy.keys[0]);
    } finally {
      proxy.server.close();
    }
    expect((await f.daemon.client().auction(a.id)).bidCount).toBe(2);
  });

  it('gives up after 3 retries with exit 6 and the key to find out, which then replays the one bid', async () => {
    const a = await lot();
    const proxy = await flakyProxy(() => 'lose');
    let key: string;
    try {
      const r = await f.json(['bid', String(a.id), '1000', '--url', proxy.url], as(alice));
      expect(r.code).toBe(6);
      expect(proxy.keys).toHaveLength(4);
      expect(new Set(proxy.keys).size).toBe(1);
      key = proxy.keys[0]!;
      expect(r.body.error).toMatchObject({ code: 'UNREACHABLE', idempotencyKey: key });
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr).toMatch(
        new RegExp(`^neighborbid: UNREACHABLE: Cannot reach the daemon at ${proxy.url}: .* The bid may or may not have been made; run the same command with --idempotency-key ${key} to find out without making it twice\\.\\n$`),
      );
    } finally {
      proxy.server.close();
    }
    // The daemon took the first attempt; asking again with the key returns that bid.
    const placed = (await f.daemon.client().auction(a.id)).recentBids;
    expect(placed).toHaveLength(1);
    const again = await f.json(['bid', String(a.id), '1000', '--idempotency-key', key!], as(alice));
    expect(again.code).toBe(0);
    expect(again.body.bid.id).toBe(placed[0]!.id);
    expect((await f.daemon.client().auction(a.id)).bidCount).toBe(1);
  });

  it('sends a bid refused RATE_LIMITED again after the Retry-After, with the same key, and bids once', async () => {
    // A second daemon on the same database whose budget is two requests per two seconds.
    const limited = await startTestDaemon(f.db.url, { rateLimit: { max: 2, windowMs: 2000 } });
    try {
      const a = await lot();
      const spent = limited.client(alice.token);
      await spent.me();
      await spent.me();
      await expect(spent.me()).rejects.toMatchObject({ code: 'RATE_LIMITED' }); // the budget is gone
      const r = await f.run(['bid', String(a.id), '1000', '--url', limited.url, '--verbose'], as(alice));
      expect(r.stderr).toBe('neighborbid: RATE_LIMITED; sending the bid again with the same key (retry 1)\n');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Bid \d+: 1,000 on auction/);
      expect((await f.daemon.client().auction(a.id)).bidCount).toBe(1);
    } finally {
      await limited.close();
      await limited.removeDir();
    }
  });

  it('says the daemon cannot be reached (exit 6) when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const r = await f.run(['bid', '1', '1000', '--url', `http://127.0.0.1:${port}`], as(alice));
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^neighborbid: UNREACHABLE: Cannot reach the daemon at http://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED [^\\n]*\\n$`));
  });
});

describe('buy', () => {
  it('buys at the buy-now price, charging the buyer once', async () => {
    const a = await lot({ buyNowPrice: 5000 });
    await f.daemon.client(bob.token).bid(a.id, 1000);
    const before = await f.daemon.client(alice.token).me();
    const r = await f.run(['buy', String(a.id)], as(alice));
    expect(r).toEqual({ code: 0, stdout: `Bought auction ${a.id} "Brass lamp" for 5,000.\n`, stderr: '' });
    expect((await f.daemon.client(alice.token).me()).balance).toBe(before.balance - 5000);

    const again = await f.json(['buy', String(a.id)], as(bob));
    expect(again.code).toBe(3);
    expect(again.body.error).toMatchObject({ code: 'AUCTION_CLOSED', status: 'sold' });
    expect(again.stderr).toBe('neighborbid: AUCTION_CLOSED: The auction is sold.\n');
  });

  it('prints {auction} with --json', async () => {
    const a = await lot({ buyNowPrice: 2500 });
    const j = await f.json(['buy', String(a.id)], as(bob));
    expect(j.code).toBe(0);
    expect(j.body).toEqual({ auction: expect.objectContaining({ id: a.id, status: 'sold', currentPrice: 2500, leaderId: bob.id }) });
  });

  it('refuses without a buy-now price (exit 3), for the seller (exit 3), and a missing auction (exit 4)', async () => {
    const a = await lot();
    expect(await f.run(['buy', String(a.id)], as(alice))).toEqual({
      code: 3,
      stdout: '',
      stderr: 'neighborbid: BUY_NOW_UNAVAILABLE: This auction has no buy-now price.\n',
    });
    const b = await lot({ buyNowPrice: 3000 });
    expect((await f.run(['buy', String(b.id)], as(seller))).stderr).toBe('neighborbid: SELF_BID: You cannot bid on or buy your own auction.\n');
    expect(await f.run(['buy', '424242'], as(alice))).toEqual({ code: 4, stdout: '', stderr: 'neighborbid: NOT_FOUND: No auction 424242.\n' });
    expect((await f.run(['buy', String(b.id)])).code).toBe(5);
  });

  it('retries a purchase whose answer was lost and pays only once', async () => {
    const a = await lot({ buyNowPrice: 4000 });
    const before = await f.daemon.client(bob.token).me();
    const proxy = await flakyProxy((n) => (n === 0 ? 'lose' : 'pass'));
    try {
      const r = await f.json(['buy', String(a.id), '--url', proxy.url], as(bob));
      expect(r.code).toBe(0);
      expect(r.body.auction).toMatchObject({ status: 'sold', leaderId: bob.id });
      expect(proxy.keys).toHaveLength(2);
      expect(proxy.keys[1]).toBe(proxy.keys[0]);
    } finally {
      proxy.server.close();
    }
    expect((await f.daemon.client(bob.token).me()).balance).toBe(before.balance - 4000);
    expect((await f.daemon.admin.audit()).ok).toBe(true);
  });
});
