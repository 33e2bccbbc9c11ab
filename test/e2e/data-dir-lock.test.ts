// Issue 14, defect 2: one data directory has one daemon. A second daemon on it
// refuses with one line naming the first — also while the first is frozen by
// SIGSTOP — and two started at the same instant leave exactly one running. The
// lock dies with its daemon, even by kill -9, and the next daemon adopts the
// PostgreSQL the dead one left running.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { openDatabase } from '../../src/daemon/db/database.js';
import { bidLoad, expectBidsAsAnswered, lastAttempt } from '../helpers/bid-load.js';
import { CLEAN_ENV, launchDaemon, refusedDaemon, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { embeddedDatabaseUrl, postmasterPid, processGone, removeDataDir, waitGone } from '../helpers/processes.js';
import { soak } from '../helpers/soak.js';
import { expectAuditClean, seedAuction, seedUser, seedUsers, type Admin } from '../helpers/seed.js';
import { report } from '../helpers/tally.js';

const spawned: SpawnedDaemon[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const d of spawned) {
    if (!processGone(d.pid)) process.kill(d.pid, 'SIGCONT');
    await d.stop('SIGKILL');
  }
  for (const dir of dirs) await removeDataDir(dir);
});

async function dataDir(): Promise<string> {
  const dir = (await tempDir('nb-lock-')).path;
  dirs.push(dir);
  return dir;
}

const inUse = (pid: number) => `data directory in use by pid ${pid} — for several daemons, give them one PostgreSQL with --database-url`;

/** The refusal as the user sees it: the last line of the output, the only one from the CLI. */
function refusalLine(output: string): string {
  return output.trim().split('\n').at(-1)!;
}

async function adminOf(d: SpawnedDaemon, dir: string): Promise<Admin> {
  const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
  return { url: d.url, admin: new HttpClient({ url: d.url, token }) };
}

describe('one data directory, one daemon', () => {
  it('refuses a second daemon with one line naming the first, also while the first is frozen by SIGSTOP; bids sent during the freeze are all answered', async () => {
    const dir = await dataDir();
    const first = await spawnDaemon(['--data-dir', dir, '--rate-limit', '0'], CLEAN_ENV);
    spawned.push(first);
    const node = await adminOf(first, dir);
    const pgPid = postmasterPid(dir)!;

    const second = await refusedDaemon(['--data-dir', dir], CLEAN_ENV);
    expect(second.code).toBe(1);
    expect(refusalLine(second.output)).toBe(`neighborbid: ${inUse(first.pid)}`);
    expect(second.output).not.toMatch(/PostgreSQL pid|Error|    at /);

    const seller = await seedUser(node);
    const bidders = await seedUsers(node, 8, 1_000_000);
    const lot = await seedAuction(seller, { startPrice: 1, minIncrement: 1 });

    process.kill(first.pid, 'SIGSTOP');
    let frozen = true;
    const loading = bidLoad({ bidders, auctions: [lot.id], url: () => first.url, running: () => true, maxBids: 8, timeoutMs: 60_000 });
    try {
      const third = await refusedDaemon(['--data-dir', dir], CLEAN_ENV);
      expect(refusalLine(third.output)).toBe(`neighborbid: ${inUse(first.pid)}`);
    } finally {
      process.kill(first.pid, 'SIGCONT');
      frozen = false;
    }
    const bids = await loading;
    expect(frozen).toBe(false);
    const answers = bids.map(lastAttempt);
    for (const a of answers) expect([201, 422]).toContain(a.status);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    const sql = openDatabase({ url: embeddedDatabaseUrl(dir, first.output()), max: 1 });
    try {
      await expectBidsAsAnswered(sql, bids);
    } finally {
      await sql.end();
    }
    expect(processGone(pgPid)).toBe(false); // the refused daemons never touched it
    await expectAuditClean(node.admin);

    expect(await first.stop('SIGTERM')).toBe(0);
    expect(await waitGone(pgPid)).toBe(true);
    report({
      fault: 'SIGSTOP of the daemon for a second daemon\'s start, with bids in flight',
      operations: bids.length + 1,
      checked: `a daemon started on its data directory while it was frozen refused, naming it; ${bids.length} bids sent during the freeze all answered after SIGCONT (${answers.filter((a) => a.status === 201).length} accepted), database = answers; audit clean`,
      lost: 0,
    });
  });

  it('lets exactly one of two daemons started at the same instant run, and the next one in after kill -9 of it', async () => {
    const rounds = soak(1, 5);
    let starts = 0;
    for (let round = 0; round < rounds; round++) {
      const dir = await dataDir();
      const launched = await Promise.all([launchDaemon(['--data-dir', dir], CLEAN_ENV), launchDaemon(['--data-dir', dir], CLEAN_ENV)]);
      starts += 2;
      for (const l of launched) if (l.daemon) spawned.push(l.daemon);
      const winners = launched.flatMap((l) => (l.daemon ? [l.daemon] : []));
      const losers = launched.flatMap((l) => (l.exit ? [l.exit] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      const winner = winners[0]!;
      expect(refusalLine(losers[0]!.output)).toBe(`neighborbid: ${inUse(winner.pid)}`);
      expect(losers[0]!.code).toBe(1);

      const node = await adminOf(winner, dir);
      const seller = await seedUser(node, 0, `seller${round}`);
      const pgPid = postmasterPid(dir)!;

      // Killed: its lock goes with it, its PostgreSQL stays, and the next daemon takes both.
      process.kill(winner.pid, 'SIGKILL');
      expect(await waitGone(winner.pid)).toBe(true);
      const next = await spawnDaemon(['--data-dir', dir], CLEAN_ENV);
      starts++;
      spawned.push(next);
      expect(next.output()).toMatch(new RegExp(`"postgresPid":${pgPid}[^\\n]*"msg":"adopted PostgreSQL"`));
      expect(await seller.clientFor(next.url).me()).toMatchObject({ id: seller.id });
      expect(await next.stop('SIGTERM')).toBe(0);
      expect(await waitGone(pgPid)).toBe(true);
    }
    report({
      fault: 'two daemons on one data directory (started at the same instant; then kill -9 of the one running)',
      operations: starts,
      checked: `${rounds} round(s): exactly one of each pair ran, the other refused in one line naming it; after kill -9 the next daemon started, adopted its PostgreSQL and found its users`,
      lost: 0,
    });
  });
});
