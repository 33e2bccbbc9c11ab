// A committed bid survives kill -9 of the daemon, on the embedded PostgreSQL in
// a data directory: when the killed daemon's PostgreSQL is still running (the
// new daemon adopts it), and when it was killed too (its postmaster.pid left
// behind). A daemon stopped normally never leaves a PostgreSQL behind.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { CLEAN_ENV, logged, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { clusterDirOf, postmasterPid, processGone, removeDataDir, waitGone } from '../helpers/processes.js';
import { expectAuditClean, seedAuction, seedUser, type Admin, type SeededUser } from '../helpers/seed.js';

let dataDir: string;
const daemons: SpawnedDaemon[] = [];

async function startDaemon(): Promise<SpawnedDaemon & Admin> {
  const d = await spawnDaemon(['--data-dir', dataDir, '--log-level', 'info'], CLEAN_ENV);
  daemons.push(d);
  const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
  return Object.assign(d, { admin: new HttpClient({ url: d.url, token }) });
}

/** SIGKILL, and wait until the process is really gone. */
async function kill9(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  expect(await waitGone(pid)).toBe(true);
}

beforeAll(async () => {
  dataDir = (await tempDir('nb-crash-')).path;
});
afterAll(async () => {
  for (const d of daemons) await d.stop('SIGKILL');
  await removeDataDir(dataDir);
});

describe('crash and restart on the embedded PostgreSQL', () => {
  let seller: SeededUser;
  let bidder: SeededUser;
  let auctionId: number;

  it('keeps a committed bid across kill -9 of the daemon, adopting the PostgreSQL it left running', async () => {
    const first = await startDaemon();
    expect((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    seller = await seedUser(first);
    bidder = await seedUser(first, 1000);
    auctionId = (await seedAuction(seller)).id;
    const r = await bidder.client.bid(auctionId, 300); // answered, so committed
    expect(r.bid!.amount).toBe(300);

    const pgPid = postmasterPid(dataDir)!;
    expect(logged(first.output(), 'started PostgreSQL', { postgresPid: pgPid })).toHaveLength(1);
    await kill9(first.pid);
    expect(processGone(pgPid)).toBe(false); // the server outlives its daemon

    const second = await startDaemon();
    expect(logged(second.output(), 'adopted PostgreSQL', { postgresPid: pgPid })).toHaveLength(1);
    expect(await second.admin.auction(auctionId)).toMatchObject({ currentPrice: 300, leaderId: bidder.id, bidCount: 1 });
    expect(await bidder.clientFor(second.url).me()).toMatchObject({ balance: 1000, held: 300 });
    await bidder.clientFor(second.url).bid(auctionId, 400);
    await expectAuditClean(second.admin);

    // A normal stop stops the adopted server too.
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(await waitGone(pgPid)).toBe(true);
    expect(existsSync(join(clusterDirOf(dataDir), 'postmaster.pid'))).toBe(false);
  });

  it('starts cleanly after kill -9 of both the daemon and its PostgreSQL', async () => {
    const third = await startDaemon();
    const pgPid = postmasterPid(dataDir)!;
    await bidder.clientFor(third.url).bid(auctionId, 500);
    await kill9(third.pid);
    await kill9(pgPid);
    expect(postmasterPid(dataDir)).toBe(pgPid); // stale, left behind

    const fourth = await startDaemon();
    expect(fourth.output()).toMatch(/removing a stale postmaster\.pid/);
    const newPgPid = postmasterPid(dataDir)!;
    expect(newPgPid).not.toBe(pgPid);
    const shown = await fourth.admin.auction(auctionId);
    expect(shown).toMatchObject({ currentPrice: 500, leaderId: bidder.id, bidCount: 3 });
    expect(shown.recentBids.map((b) => b.amount)).toEqual([500, 400, 300]);
    expect(await bidder.clientFor(fourth.url).me()).toMatchObject({ balance: 1000, held: 500 });
    await expectAuditClean(fourth.admin);

    expect(await fourth.stop('SIGTERM')).toBe(0);
    expect(await waitGone(newPgPid)).toBe(true);
  });

  it('answers every bid during a SIGTERM either committed or refused, and loses none it committed', async () => {
    const fifth = await startDaemon();
    const pgPid = postmasterPid(dataDir)!;
    const bidders = await Promise.all(Array.from({ length: 8 }, () => seedUser(fifth, 10_000)));
    const auction = await seedAuction(await seedUser(fifth), { startPrice: 10, minIncrement: 1 });
    // Bidders raise in turn, each bid over its own connection, while the daemon is told to stop.
    const answers: { amount: number; ok: boolean; code?: string }[] = [];
    let amount = 10;
    const stopping = new Promise((r) => setTimeout(r, 300)).then(() => fifth.stop('SIGTERM'));
    while (answers.length < 2000) {
      const u = bidders[answers.length % bidders.length]!;
      try {
        await u.clientFor(fifth.url).bid(auction.id, amount);
        answers.push({ amount, ok: true });
        amount++;
      } catch (err) {
        answers.push({ amount, ok: false, code: (err as { code: string }).code });
        if ((err as { code: string }).code === 'UNREACHABLE') break;
      }
    }
    expect(await stopping).toBe(0);
    expect(await waitGone(pgPid)).toBe(true);
    for (const a of answers.filter((x) => !x.ok)) expect(['SHUTTING_DOWN', 'UNREACHABLE']).toContain(a.code);
    const committed = answers.filter((x) => x.ok).map((x) => x.amount);
    expect(committed.length).toBeGreaterThan(0);

    const sixth = await startDaemon();
    const after = await sixth.admin.auction(auction.id);
    expect(after.bidCount).toBe(committed.length);
    expect(after.currentPrice).toBe(committed.at(-1));
    await expectAuditClean(sixth.admin);
    expect(await sixth.stop('SIGTERM')).toBe(0);
  });
});
