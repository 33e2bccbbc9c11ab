// A PostgreSQL restart under two spawned daemons: the watcher's socket to its
// daemon survives, the daemon's LISTEN connection comes back, and whatever was
// committed while it was deaf is read from the outbox: no gap, no duplicate.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { SocketClient, type AuctionMessage } from '../../src/client/socket-client.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { NbError } from '../../src/protocol/errors.js';
import { spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { makeAuctions, makeTrader, outbox, type Trader } from '../helpers/market.js';
import { restartPostgres, stopPostgres } from '../helpers/postgres-restart.js';
import { waitFor } from '../helpers/poll.js';

const adminToken = `nb_admin_test_${randomBytes(8).toString('hex')}`;
const dirs: { path: string; remove(): Promise<void> }[] = [];
let pg: EmbeddedPostgres;
let a: SpawnedDaemon;
let b: SpawnedDaemon;

async function spawnOn(): Promise<SpawnedDaemon> {
  const dir = await tempDir('nb-wspg-');
  dirs.push(dir);
  return spawnDaemon(['--database-url', pg.url, '--data-dir', dir.path], { NEIGHBORBID_ADMIN_TOKEN: adminToken });
}

beforeAll(async () => {
  const dir = await tempDir('nb-wspg-pg-');
  dirs.push(dir);
  pg = await startEmbeddedPostgres({ dataDir: dir.path });
  [a, b] = await Promise.all([spawnOn(), spawnOn()]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  if (pg) await stopPostgres(pg.clusterDir);
  for (const d of dirs) await d.remove();
});

/** Bids through a daemon whose database may be coming back: retried with one idempotency key until it answers. */
async function bidThrough(t: Trader, auction: number, amount: number): Promise<void> {
  const key = randomBytes(8).toString('hex');
  for (let i = 0; ; i++) {
    try {
      await t.client.bid(auction, amount, { idempotencyKey: key });
      return;
    } catch (err) {
      if (!(err instanceof NbError) || !err.retryable || i >= 300) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function postmasterPid(clusterDir: string): number {
  return Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('a PostgreSQL restart', () => {
  it('loses no event and repeats none for a watcher on the other daemon', async () => {
    const admin = new HttpClient({ url: a.url, token: adminToken });
    const seller = await makeTrader(a.url, admin, 'seller', 0);
    const onB = await Promise.all([makeTrader(b.url, admin, 'ann'), makeTrader(b.url, admin, 'bob')]);
    const [lot] = await makeAuctions(seller, 1);
    const seen: AuctionMessage[] = [];
    const client = new SocketClient({ url: a.url, backoff: { initialMs: 50, maxMs: 500 } });
    try {
      await client.subscribe([lot!.id], (m) => seen.push(m));
      await waitFor(() => seen.length >= 1, 30_000, 'snapshot');
      let amount = 100;
      for (let i = 0; i < 5; i++, amount += 10) await bidThrough(onB[i % 2]!, lot!.id, amount);
      await waitFor(() => client.version(lot!.id) === 5, 30_000, 'five events before the restart');

      const pidBefore = postmasterPid(pg.clusterDir);
      restartPostgres(pg.clusterDir);
      expect(postmasterPid(pg.clusterDir)).not.toBe(pidBefore);
      // Straight away, while daemon A may still be re-establishing its LISTEN connection.
      for (let i = 0; i < 50; i++, amount += 10) await bidThrough(onB[i % 2]!, lot!.id, amount);
      await waitFor(() => client.version(lot!.id) === 55, 60_000, 'the 50 events after the restart');
      for (let i = 0; i < 5; i++, amount += 10) await bidThrough(onB[i % 2]!, lot!.id, amount);
      await waitFor(() => client.version(lot!.id) === 60, 30_000, 'five more');

      const truth = await outbox(pg.url, lot!.id);
      expect(truth).toHaveLength(60);
      expect(seen[0]).toMatchObject({ type: 'snapshot', version: 0 });
      expect(seen.slice(1)).toEqual(truth);
      expect(client.stats).toMatchObject({ duplicatesDropped: 0, gapsResynced: 0 });
      // Daemon A did lose its LISTEN connection and re-establish it.
      await waitFor(() => /listening again/.test(a.output()), 30_000, 'A to log its new LISTEN');
      const audit = await admin.audit();
      expect(audit.violations).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
