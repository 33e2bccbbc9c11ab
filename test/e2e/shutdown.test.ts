// SIGTERM: the daemon stops taking new work, finishes the transactions in
// flight, tells watchers "going away" (1001) so they resume elsewhere without a
// gap, and stops the embedded PostgreSQL it started.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { SocketClient, type AuctionMessage, type SocketState } from '../../src/client/socket-client.js';
import { openDatabase } from '../../src/daemon/db/database.js';
import { startEmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { bidLoad, expectBidsAsAnswered, lastAttempt, type Attempt, type LoadBid } from '../helpers/bid-load.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { bidUp, makeAuctions, makeTrader, outbox } from '../helpers/market.js';
import { postmasterPid, processGone, removeDataDir, waitGone } from '../helpers/processes.js';
import { soak } from '../helpers/soak.js';
import { expectAuditClean, seedAuction, seedUser, seedUsers, type Admin, type SeededUser } from '../helpers/seed.js';
import { report } from '../helpers/tally.js';
import { openWatcher } from '../helpers/watcher.js';
import { waitFor } from '../helpers/poll.js';

const spawned: SpawnedDaemon[] = [];
const dirs: { path: string; remove(): Promise<void> }[] = [];
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const d of spawned) await d.stop('SIGKILL');
  for (const dir of dirs) await removeDataDir(dir.path);
  await db?.drop();
});

async function dataDir(): Promise<string> {
  const dir = await tempDir('nb-shutdown-');
  dirs.push(dir);
  return dir.path;
}

describe('SIGTERM', () => {
  it('answers every bid in flight either 201 (and keeps it) or SHUTTING_DOWN / no connection (and takes nothing), then stops its PostgreSQL', async () => {
    const rounds = soak(1, 5);
    const tally = { bids: 0, accepted: 0, shuttingDown: 0, refused: 0 };
    const dir = await dataDir();
    for (let round = 0; round < rounds; round++) {
      const d = await spawnDaemon(['--data-dir', dir, '--rate-limit', '0'], CLEAN_ENV);
      spawned.push(d);
      const admin = new HttpClient({ url: d.url, token: (await readFile(join(dir, 'admin-token'), 'utf8')).trim() });
      const node: Admin = { url: d.url, admin };
      const pgPid = postmasterPid(dir)!;
      expect(processGone(pgPid)).toBe(false);
      const seller = await seedUser(node);
      const bidders = await seedUsers(node, 16, 1_000_000_000);
      const lots = await Promise.all(Array.from({ length: 4 }, () => seedAuction(seller, { startPrice: 1, minIncrement: 1 })));
      const watcher = await openWatcher(d.url);

      // Sixteen bidders keep bidding, each over a new connection, until the daemon is gone.
      let stopped = false;
      const loading = bidLoad({
        bidders,
        auctions: lots.map((l) => l.id),
        url: () => d.url,
        running: () => !stopped,
        maxBids: soak(5000, 20_000),
        timeoutMs: 30_000,
      });
      await new Promise((r) => setTimeout(r, 500 + 200 * round));
      const exit = d.stop('SIGTERM');
      expect(await exit).toBe(0);
      stopped = true;
      const bids = await loading;
      expect(await waitGone(pgPid)).toBe(true); // the embedded PostgreSQL went with it
      expect(await watcher.closed).toEqual({ code: 1001, reason: 'SHUTTING_DOWN' });

      const answers = bids.map(lastAttempt);
      const accepted = answers.filter((r) => r.status === 201);
      const shuttingDown = answers.filter((r) => r.status === 503);
      const noConnection = answers.filter((r) => r.status === null);
      expect(accepted.length).toBeGreaterThan(0);
      expect(shuttingDown.length + noConnection.length).toBeGreaterThan(0);
      for (const r of shuttingDown) expect([r.code, r.retryAfter]).toEqual(['SHUTTING_DOWN', '1']);
      for (const r of noConnection) expect(['ECONNREFUSED', 'ECONNRESET']).toContain(r.code);
      for (const r of answers) expect([201, 422, 503, null]).toContain(r.status);

      // The data as the next start finds it: exactly the bids answered 201.
      const pg = await startEmbeddedPostgres({ dataDir: dir });
      const sql = openDatabase({ url: pg.url, max: 1 });
      try {
        await expectBidsAsAnswered(sql, bids);
      } finally {
        await sql.end();
        await pg.stop();
      }
      tally.bids += bids.length;
      tally.accepted += accepted.length;
      tally.shuttingDown += shuttingDown.length;
      tally.refused += noConnection.length;
    }
    const last = await spawnDaemon(['--data-dir', dir], CLEAN_ENV);
    spawned.push(last);
    await expectAuditClean(new HttpClient({ url: last.url, token: (await readFile(join(dir, 'admin-token'), 'utf8')).trim() }));
    expect(await last.stop('SIGTERM')).toBe(0);
    report({
      fault: 'SIGTERM under a burst of bids (embedded PostgreSQL)',
      operations: tally.bids,
      checked: `${rounds} shutdown(s); ${tally.accepted} answered 201 and kept, ${tally.shuttingDown} SHUTTING_DOWN and ${tally.refused} refused at connect, none kept; PostgreSQL stopped (by pid); audit clean`,
      lost: 0,
    });
  }, soak(180_000, 900_000));

  it('answers every request it has read, and closes keep-alive connections after their answer', async () => {
    const adminToken = `nb_admin_test_${randomBytes(8).toString('hex')}`;
    const d = await spawnDaemon(['--database-url', db.url, '--data-dir', await dataDir(), '--rate-limit', '0'], {
      ...CLEAN_ENV,
      NEIGHBORBID_ADMIN_TOKEN: adminToken,
    });
    spawned.push(d);
    const node: Admin = { url: d.url, admin: new HttpClient({ url: d.url, token: adminToken }) };
    const seller = await seedUser(node);
    const bidders = await seedUsers(node, 16, 1_000_000_000);
    const lots = await Promise.all(Array.from({ length: 4 }, () => seedAuction(seller, { startPrice: 1, minIncrement: 1 })));

    // Sixteen keep-alive clients, each on one connection as long as the daemon keeps it open.
    let exited = false;
    void d.exited.then(() => (exited = true));
    const bids: (LoadBid & { reused: boolean[]; connection: (string | undefined)[] })[] = [];
    let next = 0;
    const clients = bidders.map(async (bidder) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!exited && next < 20_000) {
          const n = next++;
          const bid = { key: randomBytes(12).toString('hex'), auction: lots[n % lots.length]!.id, bidder, amount: 1000 + n, attempts: [], reused: [], connection: [] };
          bids.push(bid);
          await keepAliveBid(d.url, agent, bid);
          if (lastAttempt(bid).status === null) await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        agent.destroy();
      }
    });
    // The signal comes once every client has had answers on its kept-open connection.
    await waitFor(() => bidders.every((b) => bids.filter((x) => x.bidder === b && x.attempts.some((a) => a.status === 201)).length >= 2), 30_000, 'every client bidding');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    await Promise.all(clients);

    const sent = bids.flatMap((b) => b.attempts.map((a, i) => ({ ...a, reused: b.reused[i]!, connection: b.connection[i] })));
    // A request on a connection the daemon had kept open was read by it: it was answered.
    expect(sent.filter((a) => a.reused && a.status === null)).toEqual([]);
    const shuttingDown = sent.filter((a) => a.status === 503);
    expect(shuttingDown.length).toBeGreaterThan(0);
    for (const a of shuttingDown) expect([a.code, a.retryAfter, a.connection]).toEqual(['SHUTTING_DOWN', '1', 'close']);
    // A fresh connection may only have been refused, or cut before the daemon read from it.
    for (const a of sent.filter((x) => x.status === null)) expect(['ECONNREFUSED', 'ECONNRESET']).toContain(a.code);
    expect(d.output()).toMatch(/"cutRequests":0[^\n]*"msg":"stopped; every request read was answered"/);
    for (const a of sent) expect([201, 422, 503, null]).toContain(a.status);

    const sql = openDatabase({ url: db.url, max: 1 });
    try {
      await expectBidsAsAnswered(sql, bids);
    } finally {
      await sql.end();
    }
    report({
      fault: 'SIGTERM under a burst of bids on keep-alive connections',
      operations: sent.length,
      checked: `${sent.filter((a) => a.status === 201).length} answered 201 and kept, ${shuttingDown.length} SHUTTING_DOWN with Connection: close, ${sent.filter((a) => a.status === null).length} refused or cut before being read (fresh connections only), none kept; every request on a kept-open connection answered; database = answers`,
      lost: 0,
    });
  });

  it('closes sockets with 1001, and a SocketClient given both daemons resumes on the other without a gap', async () => {
    const adminToken = `nb_admin_test_${randomBytes(8).toString('hex')}`;
    const start = async () => {
      const d = await spawnDaemon(['--database-url', db.url, '--data-dir', await dataDir()], { ...CLEAN_ENV, NEIGHBORBID_ADMIN_TOKEN: adminToken });
      spawned.push(d);
      return d;
    };
    const [a, b] = await Promise.all([start(), start()]);
    const idOf = async (d: SpawnedDaemon) => (await new HttpClient({ url: d.url }).health()).daemonId;
    const admin = new HttpClient({ url: b.url, token: adminToken });
    const seller = await makeTrader(b.url, admin, 'seller', 0);
    const bidders = await Promise.all([makeTrader(b.url, admin, 'ann'), makeTrader(b.url, admin, 'bob')]);
    const [lot] = await makeAuctions(seller, 1);

    const seen: AuctionMessage[] = [];
    const states: SocketState[] = [];
    const client = new SocketClient({ url: [a.url, b.url], onState: (s) => states.push(s), backoff: { initialMs: 50, maxMs: 300 } });
    try {
      await client.subscribe([lot!.id], (m) => seen.push(m));
      await waitFor(() => seen.length >= 1, 30_000, 'snapshot');
      expect(client.state).toEqual({ kind: 'live', daemonId: await idOf(a), userId: null });

      // Bids go on through B while A stops.
      let amount = await bidUp(bidders, lot!.id, 10, 100);
      const stopping = a.stop('SIGTERM');
      amount = await bidUp(bidders, lot!.id, 20, amount);
      expect(await stopping).toBe(0);
      await bidUp(bidders, lot!.id, 10, amount);

      await waitFor(() => client.version(lot!.id) === 40, 30_000, 'all 40 events');
      expect(states.some((s) => s.kind === 'reconnecting' && /SHUTTING_DOWN/.test(s.reason))).toBe(true);
      expect(client.state).toEqual({ kind: 'live', daemonId: await idOf(b), userId: null });
      expect(seen[0]).toMatchObject({ type: 'snapshot', version: 0 });
      expect(seen.slice(1)).toEqual(await outbox(db.url, lot!.id));
      expect(client.stats).toMatchObject({ duplicatesDropped: 0, gapsResynced: 0 });
      report({
        fault: 'SIGTERM of the daemon a SocketClient watches (1001 going away)',
        operations: 40,
        checked: `40 bids through the other daemon before, during and after; the client resumed there and delivered all ${seen.length - 1} events once, in order`,
        lost: 0,
      });
    } finally {
      await client.close();
      await b.stop('SIGTERM');
    }
  });
});

/** Sends one bid over a keep-alive agent, recording whether its connection was reused and the Connection header of the answer. */
function keepAliveBid(url: string, agent: http.Agent, bid: LoadBid & { reused: boolean[]; connection: (string | undefined)[]; bidder: SeededUser }): Promise<void> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ amount: bid.amount });
  const started = Date.now();
  return new Promise((done) => {
    let recorded = false;
    const record = (attempt: Omit<Attempt, 'ms' | 'url' | 'replayed'>, reused: boolean, connection?: string) => {
      if (recorded) return;
      recorded = true;
      bid.attempts.push({ ...attempt, replayed: false, ms: Date.now() - started, url });
      bid.reused.push(reused);
      bid.connection.push(connection);
      done();
    };
    const req = http.request(
      {
        hostname,
        port,
        agent,
        method: 'POST',
        path: `/v1/auctions/${bid.auction}/bids`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bid.bidder.token}`, 'idempotency-key': bid.key },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          record(
            { status: res.statusCode ?? 0, code: json?.error?.code, body: json, retryAfter: res.headers['retry-after'] as string | undefined },
            req.reusedSocket,
            res.headers.connection,
          );
        });
        res.on('error', (err: NodeJS.ErrnoException) => record({ status: null, code: err.code ?? err.message }, req.reusedSocket));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => record({ status: null, code: err.code ?? err.message }, req.reusedSocket));
    req.end(body);
  });
}
