// When PostgreSQL goes away the daemon answers UNAVAILABLE (503, Retry-After),
// says so on /v1/health, keeps running, and recovers by itself when it returns.
// The outage is real: every connection through a TCP proxy is cut.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryable, isUnavailable, toNbError, withRetry } from '../../src/daemon/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestDaemon, type StartedTestDaemon } from '../helpers/daemon.js';
import { send } from '../helpers/raw-http.js';
import { ENDS_SOON, expectAuditClean, seedAuction, seedUser, waitFor, type SeededUser } from '../helpers/seed.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

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
