// Issue 14, defect 3 on a full disk (`npm run test:soak` only: it mounts a
// tmpfs, so it needs root). The daemon's data directory is on a small tmpfs
// that the test fills up in the middle of a bid load. Writes fail (503
// UNAVAILABLE); then the postmaster is killed, as the OOM killer would, and
// its recovery cannot write either: the daemon's restarts fail, saying why,
// until the test frees the disk; then PostgreSQL is back. No bid answered 201
// is lost; bids answered 503 are sent again with their key.
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { bidLoad, lastAttempt, type Attempt } from '../helpers/bid-load.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { postmasterPid, waitGone } from '../helpers/processes.js';
import { seedAuction, seedUser, seedUsers, type Admin } from '../helpers/seed.js';
import { expectSupervisedRunWhole, probeHealth } from '../helpers/supervision.js';
import { report } from '../helpers/tally.js';
import { waitFor } from '../helpers/poll.js';

let mount: { path: string; remove(): Promise<void> };
let daemon: SpawnedDaemon | undefined;

beforeAll(async () => {
  mount = await tempDir('nb-disk-full-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=192m,mode=0711', 'tmpfs', mount.path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the disk-full test mounts a tmpfs and needs root: ${r.stderr.trim()}`);
});
afterAll(async () => {
  await daemon?.stop('SIGKILL');
  const pid = postmasterPid(join(mount.path, 'data'));
  if (pid) {
    process.kill(pid, 'SIGQUIT');
    await waitGone(pid, 10_000);
  }
  spawnSync('umount', [mount.path]);
  await mount.remove();
});

/** Writes zeros into `file` until the file system is full; returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // The last few bytes, so not even a small write fits.
    const small = Buffer.alloc(512);
    try {
      for (;;) written += writeSync(fd, small);
    } catch {
      // full
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

describe('a full disk under the embedded PostgreSQL', () => {
  it('answers 503 while the disk is full, comes back once there is room, and loses no bid', async () => {
    const dir = join(mount.path, 'data');
    mkdirSync(dir, { mode: 0o700 });
    daemon = await spawnDaemon(['--data-dir', dir, '--rate-limit', '0'], CLEAN_ENV);
    const d = daemon;
    const node: Admin = { url: d.url, admin: new HttpClient({ url: d.url, token: (await readFile(join(dir, 'admin-token'), 'utf8')).trim() }) };
    const seller = await seedUser(node);
    const bidders = await seedUsers(node, 8, 1_000_000_000);
    const lots = await Promise.all(Array.from({ length: 4 }, () => seedAuction(seller, { startPrice: 1, minIncrement: 1 })));

    let running = true;
    let refused = 0;
    const loading = bidLoad({
      bidders,
      auctions: lots.map((l) => l.id),
      url: () => d.url,
      running: () => running,
      maxBids: 20_000,
      timeoutMs: 15_000,
      again: (r: Attempt, tries) => {
        if (r.status === 503) refused++;
        return (r.status === 503 || r.status === null) && tries < 1000;
      },
      retryPauseMs: 100,
    });
    const { healths, done: probing } = probeHealth(d.url, 100, () => running);
    const accepted = async () => {
      let n = 0;
      for (const lot of lots) n += (await node.admin.auction(lot.id).catch(() => ({ bidCount: 0 }))).bidCount;
      return n;
    };

    await waitFor(async () => (await accepted()) >= 100, 60_000, 'bids before the disk fills');
    const filler = join(mount.path, 'filler');
    const filled = fill(filler);
    // Full: the daemon stops taking bids (PostgreSQL cannot write its WAL).
    const refusedBefore = refused;
    await waitFor(() => refused >= refusedBefore + 20, 60_000, 'bids refused on a full disk');
    const during = await accepted().catch(() => 0);
    // A crash while the disk is full (as the OOM killer would): its recovery cannot write either.
    const crashed = postmasterPid(dir)!;
    process.kill(crashed, 'SIGKILL');
    await waitFor(() => /restarting PostgreSQL failed \(attempt 2\)/.test(d.output()), 120_000, 'restarts failing on a full disk');
    await rm(filler);
    // Room again: PostgreSQL back (restarted by the daemon if it died), bids taken.
    await waitFor(() => healths.at(-1)?.status === 200, 120_000, 'health 200 once there is room');
    const after = await accepted();
    await waitFor(async () => (await accepted()) >= after + 100, 60_000, 'bids after the disk was freed');
    running = false;
    const [bids] = await Promise.all([loading, probing]);

    const attempts = bids.flatMap((b) => b.attempts);
    for (const b of bids) expect([201, 422]).toContain(lastAttempt(b).status);
    const unavailable = attempts.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const a of unavailable) expect(a.code).toBe('UNAVAILABLE');
    const last = healths.at(-1)!.body.postgres!;
    expect(last).toMatchObject({ state: 'running', restarts: 1 });
    expect(d.output()).toContain(`PostgreSQL pid ${crashed} died (killed by SIGKILL)`);
    expect(d.output()).toMatch(/No space left on device/);
    expect(healths.some((h) => h.status === 503 && h.body.postgres?.state === 'restarting')).toBe(true);
    await expectSupervisedRunWhole(d, dir, bids, node);
    report({
      fault: 'disk full under a bid load (a tmpfs filled, then freed)',
      operations: attempts.length + healths.length,
      checked: `${(filled / 2 ** 20).toFixed(0)} MiB written to fill the disk; ${bids.length} bids (${bids.filter((b) => lastAttempt(b).status === 201).length} accepted, ${after - during} while it was full or coming back), ${unavailable.length} answers 503 UNAVAILABLE sent again with the same key; the postmaster killed while full: the daemon's restarts failed ("No space left on device") until room was made, then succeeded; health 503 "restarting", then 200; database = answers; audit clean`,
      lost: 0,
    });
  }, 600_000);
});
