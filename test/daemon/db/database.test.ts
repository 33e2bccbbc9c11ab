// When PostgreSQL goes away the daemon answers UNAVAILABLE (503, Retry-After),
// says so on /v1/health, keeps running, and recovers by itself when it returns.
// The outage is real: every connection through a TCP proxy is cut.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryable, isUnavailable, openDatabase, sqlArray, toNbError, withRetry } from '../../../src/daemon/db/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { startTestDaemon, type StartedTestDaemon } from '../../helpers/daemon.js';
import { send } from '../../helpers/raw-http.js';
import { ENDS_SOON, expectAuditClean, seedAuction, seedUser, type SeededUser } from '../../helpers/seed.js';
import { report } from '../../helpers/tally.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { waitFor } from '../../helpers/poll.js';

let db: TestDatabase;
let proxy: TcpProxy;
let daemon: StartedTestDaemon;

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await startTcpProxy(db.url);
  daemon = await startTestDaemon(proxy.via(db.url), { closerIntervalMs: 50 });
});
afterAll(async () => {
  await proxy?.restore().catch(() => {});
  await daemon?.close();
  await daemon?.removeDir();
  await proxy?.close();
  await db?.drop();
});

describe('database outage', () => {
  it('answers UNAVAILABLE while the database is away and recovers when it returns', async () => {
    const seller = await seedUser(daemon);
    const alice: SeededUser = await seedUser(daemon, 1000);
    const a = await seedAuction(seller, { durationSec: 600 });
    const ending = await seedAuction(seller, { durationSec: ENDS_SOON });
    await alice.client.bid(a.id, 100);
    await alice.client.bid(ending.id, 100);

    await proxy.cut();
    const requests = [
      { path: `/v1/auctions/${a.id}/bids`, token: alice.token, body: { amount: 200 } },
      { path: `/v1/auctions/${a.id}/buy`, token: alice.token, body: {} },
      { path: '/v1/auctions', token: seller.token, body: { title: 'x', startPrice: 1, minIncrement: 1, durationSec: 60 } },
      { path: '/v1/users', token: daemon.adminToken, body: { name: 'late' } },
      { path: `/v1/auctions/${a.id}` },
      { path: '/v1/auctions' },
    ];
    for (const req of requests) {
      const r = await send(daemon.url, req);
      expect(r.status, req.path).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.any(String) });
    }
    const health = await send(daemon.url, { path: '/v1/health' });
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({ ok: false, database: 'down' });

    await proxy.restore();
    await waitFor(async () => (await daemon.admin.health()).ok, 30_000, 'the daemon to reach the database again');
    // Nothing committed was lost, and work goes on: bids, and the closer settles
    // the auction that ended during the outage.
    expect(await alice.client.me()).toMatchObject({ balance: 1000, held: 200 });
    expect((await alice.client.bid(a.id, 300)).auction).toMatchObject({ currentPrice: 300, bidCount: 2 });
    await waitFor(async () => (await daemon.admin.auction(ending.id)).status === 'closed', 30_000, 'the closer to settle');
    expect(await alice.client.me()).toMatchObject({ balance: 900, held: 300 });
    await expectAuditClean(daemon.admin);
  });
});

describe('a long outage', () => {
  it('answers every request UNAVAILABLE within a bound, however many reconnects have failed', async () => {
    const bidder = await seedUser(daemon, 1000);
    const lot = await seedAuction(await seedUser(daemon), { durationSec: 600 });
    await proxy.cut();
    const answers: { status: number; ms: number }[] = [];
    const until = Date.now() + 6000;
    try {
      // Requests keep coming while reconnect after reconnect fails.
      while (Date.now() < until) {
        const started = Date.now();
        const r = await send(daemon.url, { path: `/v1/auctions/${lot.id}/bids`, token: bidder.token, body: { amount: 100 }, timeoutMs: 10_000 });
        answers.push({ status: r.status, ms: Date.now() - started });
        expect(r.json.error.code).toBe('UNAVAILABLE');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await proxy.restore();
    }
    expect(answers.length).toBeGreaterThan(3);
    expect(answers.filter((a) => a.status !== 503 || a.ms > 3000)).toEqual([]);
    report({
      fault: 'database unreachable for 6 s (every connection cut by a proxy)',
      operations: answers.length,
      checked: `every bid answered 503 UNAVAILABLE, the slowest in ${Math.max(...answers.map((a) => a.ms))} ms (bound 3 s); the first bid after the outage taken`,
      lost: 0,
    });
    await waitFor(async () => (await daemon.admin.health()).ok, 30_000, 'the daemon to reach the database again');
    expect((await bidder.client.bid(lot.id, 100)).auction.bidCount).toBe(1);
  });
});

describe('array types', () => {
  it('are never asked for, so a connection dying just after it is made leaves no unhandled failure', async () => {
    // A proxy that kills any connection asking for the array types, and refuses new
    // ones for a moment: the database going away at the worst time for that question.
    let connections = 0;
    let asked = 0;
    const { hostname, port } = new URL(db.url);
    const killer = net.createServer((client) => {
      connections++;
      const upstream = net.connect(Number(port), hostname);
      for (const x of [client, upstream]) x.on('error', () => {});
      upstream.pipe(client);
      client.on('data', (chunk: Buffer) => {
        if (chunk.includes('typarray')) {
          asked++;
          killer.close();
          setTimeout(() => killer.listen(proxyPort, '127.0.0.1'), 300);
          client.destroy();
          upstream.destroy();
        } else upstream.write(chunk);
      });
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((ok) => killer.listen(0, '127.0.0.1', () => ok()));
    const proxyPort = (killer.address() as net.AddressInfo).port;
    const url = new URL(db.url);
    url.port = String(proxyPort);
    const stray: unknown[] = [];
    const onStray = (err: unknown) => stray.push(err);
    process.on('unhandledRejection', onStray);
    const sql = openDatabase({ url: url.toString(), max: 2 });
    try {
      const sum = (ids: number[]) => sql<{ s: number }[]>`SELECT sum(x)::bigint AS s FROM unnest(${sqlArray(ids)}::bigint[]) AS x`;
      expect((await sum([1, 2]))[0]!.s).toBe(3);
      // The first connection busy, a query opens the pool's second one.
      const busy = sql`SELECT pg_sleep(0.3)`.then(() => {}); // queries run once awaited
      expect((await sum([3, 4]))[0]!.s).toBe(7);
      await busy;
      expect(connections).toBe(2);
      await new Promise((r) => setTimeout(r, 100));
      expect({ asked, stray }).toEqual({ asked: 0, stray: [] });
    } finally {
      process.off('unhandledRejection', onStray);
      await sql.end({ timeout: 1 });
      if (killer.listening) await new Promise((r) => killer.close(() => r(undefined)));
    }
  });
});

describe('failure classification', () => {
  const failure = (code: string) => Object.assign(new Error(code), { code });

  it('retries deadlocks and serialization failures a bounded number of times', async () => {
    let calls = 0;
    expect(await withRetry(async () => (++calls < 3 ? Promise.reject(failure('40P01')) : 'done'))).toBe('done');
    expect(calls).toBe(3);

    calls = 0;
    await expect(withRetry(async () => { calls++; throw failure('40001'); }, { attempts: 4 })).rejects.toMatchObject({ code: '40001' });
    expect(calls).toBe(4);

    calls = 0;
    await expect(withRetry(async () => { calls++; throw failure('23505'); })).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });

  it('turns driver failures into stable codes', () => {
    expect(isRetryable(failure('40001')) && isRetryable(failure('40P01'))).toBe(true);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', '57P01', '08006', '53300']) {
      expect(isUnavailable(failure(code)), code).toBe(true);
      expect(toNbError(failure(code)).code).toBe('UNAVAILABLE');
    }
    expect(toNbError(failure('23514')).code).toBe('INVALID_INPUT');
    expect(toNbError(failure('42P01')).code).toBe('INTERNAL');
    expect(toNbError(new TypeError('boom')).code).toBe('INTERNAL');
  });
});
