// Issue 14, defect 3: the daemon looks after its embedded PostgreSQL. When the
// postmaster is killed with kill -9 in the middle of a bid load, the daemon
// logs why it died, says so in /v1/health, starts it again (same port, with
// backoff) and serves again; every bid answered 201 is in the database, and
// every bid answered 503 meanwhile, sent again with its Idempotency-Key, ends
// with one answer. (A full disk is the same story, in test/soak/disk-full.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import type { Health } from '../../src/protocol/types.js';
import { bidLoad, lastAttempt, type Attempt } from '../helpers/bid-load.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { postmasterPid, removeDataDir, waitGone } from '../helpers/processes.js';
import { soak } from '../helpers/soak.js';
import { seedAuction, seedUser, seedUsers, type Admin } from '../helpers/seed.js';
import { expectSupervisedRunWhole, probeHealth } from '../helpers/supervision.js';
import { report } from '../helpers/tally.js';
import { waitFor } from '../helpers/poll.js';

let daemon: SpawnedDaemon | undefined;
let dir: string | undefined;

afterAll(async () => {
  await daemon?.stop('SIGKILL');
  if (dir) await removeDataDir(dir);
});

describe('supervised embedded PostgreSQL', () => {
  it('restarts its PostgreSQL after kill -9 of the postmaster under a bid load, says so in health and the log, and loses no bid', async () => {
    dir = (await tempDir('nb-supervise-')).path;
    daemon = await spawnDaemon(['--data-dir', dir, '--rate-limit', '0'], CLEAN_ENV);
    const d = daemon;
    const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    const node: Admin = { url: d.url, admin: new HttpClient({ url: d.url, token }) };
    const seller = await seedUser(node);
    const bidders = await seedUsers(node, 8, 1_000_000_000);
    const lots = await Promise.all(Array.from({ length: 4 }, () => seedAuction(seller, { startPrice: 1, minIncrement: 1 })));

    const before = (await node.admin.health()) as Health;
    expect(before.postgres).toMatchObject({ state: 'running', restarts: 0 });

    let running = true;
    const loading = bidLoad({
      bidders,
      auctions: lots.map((l) => l.id),
      url: () => d.url,
      running: () => running,
      maxBids: soak(3000, 20_000),
      timeoutMs: 15_000,
      again: (r: Attempt, tries) => (r.status === 503 || r.status === null) && tries < 300,
      retryPauseMs: 100,
    });
    // Health as a monitor sees it, every 50 ms, through the outage.
    const { healths, done: probing } = probeHealth(d.url, 50, () => running);

    const kills = soak(1, 5);
    let accepted = 0;
    for (let k = 0; k < kills; k++) {
      await waitFor(async () => (await countAccepted()) >= accepted + 50, 60_000, 'bids before the kill');
      const pgPid = postmasterPid(dir)!;
      process.kill(pgPid, 'SIGKILL');
      expect(await waitGone(pgPid)).toBe(true);
      // Back: a new postmaster, and health says it was restarted.
      await waitFor(
        () => healths.at(-1)?.status === 200 && healths.at(-1)?.body.postgres?.restarts === k + 1,
        60_000,
        `PostgreSQL back after kill ${k + 1}`,
      );
      expect(postmasterPid(dir)).not.toBe(pgPid);
      expect(d.output()).toContain(`PostgreSQL pid ${pgPid} died (killed by SIGKILL)`);
      accepted = await countAccepted();
    }
    // Bids go on after the last restart.
    await waitFor(async () => (await countAccepted()) >= accepted + 50, 60_000, 'bids after the restart');
    running = false;
    const [bids] = await Promise.all([loading, probing]);

    async function countAccepted(): Promise<number> {
      let n = 0;
      for (const lot of lots) n += (await node.admin.auction(lot.id).catch(() => ({ bidCount: 0 }))).bidCount;
      return n;
    }

    // Health said so: 503 with the supervisor's state while it was down, 200 and running after.
    const down = healths.filter((h) => h.status === 503);
    expect(down.length).toBeGreaterThan(0);
    for (const h of down) expect(['restarting', 'running']).toContain(h.body.postgres?.state);
    expect(down.some((h) => h.body.postgres?.state === 'restarting')).toBe(true);
    const last = healths.at(-1)!;
    expect(last.status).toBe(200);
    expect(last.body.postgres).toMatchObject({ state: 'running', restarts: kills });
    expect(last.body.postgres?.lastExit).toMatch(/killed by SIGKILL/);
    expect(d.output()).toMatch(/PostgreSQL is back: pid \d+ on port \d+/);

    // Every bid ended with a true answer, and the database holds exactly the 201s.
    const attempts = bids.flatMap((b) => b.attempts);
    for (const b of bids) expect([201, 422]).toContain(lastAttempt(b).status);
    const unavailable = attempts.filter((a) => a.status === 503);
    for (const a of unavailable) expect(a.code).toBe('UNAVAILABLE');
    await expectSupervisedRunWhole(d, dir, bids, node);
    report({
      fault: 'kill -9 of the embedded PostgreSQL under a bid load (the daemon restarts it)',
      operations: attempts.length + healths.length,
      checked: `${kills} kill(s) of the postmaster; ${bids.length} bids (${bids.filter((b) => lastAttempt(b).status === 201).length} accepted), ${unavailable.length} answers 503 UNAVAILABLE sent again with the same key, ${attempts.filter((a) => a.status === null).length} without an answer sent again; restarted by the daemon, health 503 "restarting" then 200; database = answers; audit clean`,
      lost: 0,
    });
  }, soak(180_000, 900_000));
});
