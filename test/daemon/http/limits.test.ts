// Limits per peer: HTTP connections and WebSockets per address, and requests
// per token. Past each, a 429 in the usual error shape with Retry-After; the
// refused request changes nothing, and the limit lets go when the peer does.
import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { startTestDaemon, type StartedTestDaemon } from '../../helpers/daemon.js';
import { send, type RawResponse } from '../../helpers/raw-http.js';
import { expectAuditClean, seedAuction, seedUser, snapshot } from '../../helpers/seed.js';
import { report } from '../../helpers/tally.js';
import { openWatcher, refusedUpgrade, type Watcher } from '../../helpers/watcher.js';
import { waitFor } from '../../helpers/poll.js';

const HTTP_LIMIT = 4;
const SOCKET_LIMIT = 3;
const RATE = { max: 10, windowMs: 3000 };
const IP = '127.0.0.1';

let db: TestDatabase;
/** Small connection limits, no rate limit. */
let crowded: StartedTestDaemon;
/** Default connection limits, a small rate limit. */
let limited: StartedTestDaemon;

beforeAll(async () => {
  db = await createTestDatabase();
  crowded = await startTestDaemon(db.url, { maxConnectionsPerIp: HTTP_LIMIT, maxSocketsPerIp: SOCKET_LIMIT, rateLimit: false });
  limited = await startTestDaemon(db.url, { rateLimit: RATE, adminToken: crowded.adminToken });
});
afterAll(async () => {
  for (const d of [crowded, limited]) {
    await d?.close();
    await d?.removeDir();
  }
  await db?.drop();
});

/** Opens a TCP connection to the daemon that sends nothing. */
async function idleConnection(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  await new Promise<void>((ok) => socket.once('connect', () => ok()));
  return socket;
}

function expectTooMany(
  r: { status: number; headers: Record<string, unknown>; body?: any; json?: any },
  limit: number,
  reason: 'http' | 'sockets',
): void {
  expect(r.status).toBe(429);
  expect(r.headers['retry-after']).toBe('1');
  const of = reason === 'http' ? 'HTTP connections' : 'WebSockets';
  expect(r.body ?? r.json).toEqual({
    error: { code: 'TOO_MANY_CONNECTIONS', message: `At most ${limit} ${of} may be open from one address.`, reason, limit },
  });
}

describe('HTTP connections per address', () => {
  it('answers TOO_MANY_CONNECTIONS on a connection past the limit, and takes connections again once one closes', async () => {
    const held = await Promise.all(Array.from({ length: HTTP_LIMIT }, () => idleConnection(crowded.url)));
    await waitFor(async () => crowded.peers.open('http', IP) === HTTP_LIMIT, 10_000, 'the held connections to be counted');
    const seller = await seedUser(crowded).catch((e: unknown) => e);
    expect(seller).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' }); // the typed client sees the same code

    const before = await snapshot(crowded.context.sql);
    const refused = await send(crowded.url, { method: 'POST', path: '/v1/users', token: crowded.adminToken, body: { name: 'crowd' } });
    expectTooMany(refused, HTTP_LIMIT, 'http');
    expect(refused.headers.connection).toBe('close');
    expect(await snapshot(crowded.context.sql)).toEqual(before);

    // WebSockets are counted apart: a watcher still gets in.
    const w = await openWatcher(crowded.url);
    await w.close();

    held.pop()!.destroy();
    await waitFor(async () => crowded.peers.open('http', IP) < HTTP_LIMIT, 10_000, 'a held connection to go');
    expect((await send(crowded.url, { path: '/v1/health' })).status).toBe(200);
    for (const s of held) s.destroy();
    await waitFor(async () => crowded.peers.open('http', IP) === 0, 10_000, 'every connection to be uncounted');
    report({
      fault: `HTTP connections from one address past the limit (${HTTP_LIMIT})`,
      operations: 4,
      checked: 'TOO_MANY_CONNECTIONS 429 with Retry-After, connection closed, nothing changed; WebSockets unaffected; taken again once one closed; counts back to 0',
      lost: 0,
    });
  });
});

describe('WebSockets per address', () => {
  it('refuses an upgrade past the limit with TOO_MANY_CONNECTIONS, and takes one again once a socket closes', async () => {
    const watchers: Watcher[] = [];
    for (let i = 0; i < SOCKET_LIMIT; i++) watchers.push(await openWatcher(crowded.url));
    expect(crowded.peers.open('socket', IP)).toBe(SOCKET_LIMIT);
    expectTooMany(await refusedUpgrade(`${crowded.url.replace('http', 'ws')}/v1/ws`), SOCKET_LIMIT, 'sockets');
    // Plain requests are counted apart.
    expect((await send(crowded.url, { path: '/v1/health' })).status).toBe(200);

    await watchers.pop()!.close();
    await waitFor(async () => crowded.peers.open('socket', IP) < SOCKET_LIMIT, 10_000, 'the socket to be uncounted');
    watchers.push(await openWatcher(crowded.url));
    expect(watchers.every((w) => w.ws.readyState === WebSocket.OPEN)).toBe(true);
    for (const w of watchers) await w.close();
    await waitFor(async () => crowded.peers.open('socket', IP) === 0, 10_000, 'every socket to be uncounted');
    report({
      fault: `WebSockets from one address past the limit (${SOCKET_LIMIT})`,
      operations: SOCKET_LIMIT + 3,
      checked: 'the upgrade past the limit refused 429 TOO_MANY_CONNECTIONS in the error shape; plain requests unaffected; taken again once one closed',
      lost: 0,
    });
  });
});

describe('requests per token', () => {
  /** Fires n copies of a request at once, each over its own connection. */
  const burst = (n: number, req: Parameters<typeof send>[1]) => Promise.all(Array.from({ length: n }, () => send(limited.url, req)));
  const statuses = (rs: RawResponse[]) => rs.map((r) => r.status).sort();

  it('answers RATE_LIMITED with Retry-After past the budget, per user, and takes requests again after the window', async () => {
    const [alice, bob] = [await seedUser(limited, 1000), await seedUser(limited, 1000)];
    const seller = await seedUser(limited);
    const lot = await seedAuction(seller);
    const first = await burst(RATE.max, { path: '/v1/me', token: alice.token });
    expect(statuses(first)).toEqual(Array(RATE.max).fill(200));
    expect(first[0]!.headers['x-ratelimit-limit']).toBe(String(RATE.max));

    const before = await snapshot(limited.context.sql);
    const over = await send(limited.url, { path: `/v1/auctions/${lot.id}/bids`, token: alice.token, body: { amount: 100 } });
    expect(over.status).toBe(429);
    const wait = Number(over.headers['retry-after']);
    // The body says what the header says.
    expect(over.json).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: `Too many requests; at most ${RATE.max} per ${RATE.windowMs / 1000} s. Retry in ${wait} second${wait === 1 ? '' : 's'}.`,
        limit: RATE.max,
        windowMs: RATE.windowMs,
        retryAfterSec: wait,
      },
    });
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(RATE.windowMs / 1000);
    expect(await snapshot(limited.context.sql)).toEqual(before); // the refused bid moved nothing

    // Bob has his own budget; the admin has none.
    expect((await send(limited.url, { path: `/v1/auctions/${lot.id}/bids`, token: bob.token, body: { amount: 100 } })).status).toBe(201);
    expect(statuses(await burst(RATE.max + 5, { path: '/v1/audit', token: limited.adminToken }))).toEqual(Array(RATE.max + 5).fill(200));

    await new Promise((r) => setTimeout(r, wait * 1000 + 100));
    const again = await send(limited.url, { path: `/v1/auctions/${lot.id}/bids`, token: alice.token, body: { amount: 110 } });
    expect(again.status).toBe(201);
    await expectAuditClean(limited.admin);
    report({
      fault: `requests past the rate limit (${RATE.max} per ${RATE.windowMs / 1000} s per user token)`,
      operations: RATE.max + 1 + 1 + RATE.max + 5 + 1,
      checked: 'RATE_LIMITED 429 with Retry-After and x-ratelimit headers; the refused bid moved nothing; another user and the admin unaffected; taken again after the window; audit clean',
      lost: 0,
    });
  });

  it('counts requests without a valid token against their address, wrong tokens included', async () => {
    // A fresh window for the address: whatever earlier anonymous requests counted has expired.
    await new Promise((r) => setTimeout(r, RATE.windowMs + 100));
    const mixed = await Promise.all(
      Array.from({ length: RATE.max + 4 }, (_, i) =>
        send(limited.url, i % 2 === 0 ? { path: '/v1/auctions' } : { path: '/v1/me', token: `nb_u1_${'x'.repeat(43)}` }),
      ),
    );
    const codes = mixed.map((r) => (r.status === 429 ? r.json.error.code : r.status));
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(4);
    expect(codes.filter((c) => c === 200 || c === 401)).toHaveLength(RATE.max);
    // A user with a valid token is not held back by the address's budget.
    const carol = await seedUser(limited, 0);
    expect((await send(limited.url, { path: '/v1/me', token: carol.token })).status).toBe(200);
    report({
      fault: `requests without a valid token past the rate limit (${RATE.max} per ${RATE.windowMs / 1000} s per address)`,
      operations: RATE.max + 4,
      checked: 'exactly the requests past the budget answered RATE_LIMITED, wrong tokens counted against the address; a valid token unaffected',
      lost: 0,
    });
  });
});
