// The embedded PostgreSQL, driven directly: it persists, stops for real, holds
// its data directory against a second start, and starts again whatever a crash
// left behind — a stale pid file, a pid file naming some other live process or
// another cluster's server, or a killed server's lingering backends. (Adopting
// a server whose daemon was killed: test/e2e/crash-restart.test.ts.)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/daemon/db/embedded-postgres.js';
import { queryOnce as query } from '../../helpers/database.js';
import { tempDir } from '../../helpers/daemon.js';
import { clusterDirOf, postmasterPid, processGone, removeDataDir, waitGone } from '../../helpers/processes.js';

let dataDir: string;
const started: EmbeddedPostgres[] = [];
const logs: { message: string; fields: Record<string, unknown> }[] = [];

async function start(dir = dataDir): Promise<EmbeddedPostgres> {
  const pg = await startEmbeddedPostgres({ dataDir: dir, log: (message, fields = {}) => logs.push({ message, fields }) });
  started.push(pg);
  return pg;
}

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

function pidFile(dir = dataDir): string {
  return join(clusterDirOf(dir), 'postmaster.pid');
}

beforeAll(async () => {
  dataDir = (await tempDir('nb-embedded-')).path;
});
afterAll(async () => {
  for (const pg of started) await pg.stop().catch(() => {});
  await removeDataDir(dataDir);
});

describe('embedded PostgreSQL', () => {
  it('starts a real server that keeps its data, and stops it for real', async () => {
    const pg = await start();
    expect(postmasterPid(dataDir)).toBe(pg.pid);
    // New WAL segments are not zero-filled inside a commit; every commit still flushes the WAL.
    expect(await query(pg.url, "SELECT current_setting('wal_init_zero') AS zero, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync")).toEqual([
      { zero: 'off', fsync: 'on', sync: 'on' },
    ]);
    await query(pg.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await pg.stop();
    expect(processGone(pg.pid)).toBe(true);

    const again = await start();
    expect(again.pid).not.toBe(pg.pid);
    expect(await query(again.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await again.stop();
    expect(processGone(again.pid)).toBe(true);
  });

  it('starts over a stale pid file whose process is gone', async () => {
    writeFileSync(pidFile(), `${await deadPid()}\n${clusterDirOf(dataDir)}\n0\n5432\n\n127.0.0.1\n0 0\nready\n`);
    const pg = await start();
    expect(logs.at(-2)?.message).toMatch(/stale postmaster\.pid/);
    expect(await query(pg.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await pg.stop();
  });

  it('starts over a pid file naming a live process that is not its server', async () => {
    // This test's own process: alive, and certainly not to be killed.
    writeFileSync(pidFile(), `${process.pid}\n${clusterDirOf(dataDir)}\n0\n5432\n\n127.0.0.1\n0 0\nready\n`);
    const pg = await start();
    expect(pg.pid).not.toBe(process.pid);
    expect(await query(pg.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await pg.stop();
  });

  it("neither adopts nor stops another cluster's server named by a stale pid file", async () => {
    const otherDir = (await tempDir('nb-embedded-other-')).path;
    try {
      const other = await start(otherDir);
      // A pid reused by another PostgreSQL: copy that server's own pid file over ours.
      writeFileSync(pidFile(), readFileSync(pidFile(otherDir)));
      const pg = await start();
      expect(pg.pid).not.toBe(other.pid);
      expect(processGone(other.pid)).toBe(false);
      expect(await query(other.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await query(pg.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
      await pg.stop();
      await other.stop();
    } finally {
      await removeDataDir(otherDir);
    }
  });

  it('refuses a second start on a data directory while the first holds it, and lets it in once stopped', async () => {
    const first = await start();
    await expect(start()).rejects.toThrow(
      `data directory in use by pid ${process.pid} — for several daemons, give them one PostgreSQL with --database-url`,
    );
    expect(processGone(first.pid)).toBe(false);
    expect(await query(first.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await first.stop();
    const again = await start();
    expect(await query(again.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await again.stop();
  });

  it('starts again after its server was killed with SIGKILL', async () => {
    const pg = await start();
    process.kill(pg.pid, 'SIGKILL');
    expect(await waitGone(pg.pid)).toBe(true);
    await pg.stop(); // its server is gone: this only lets go of the data directory, as a dead daemon's process would
    // The pid file stays behind, and backends may still hold shared memory.
    expect(postmasterPid(dataDir)).toBe(pg.pid);
    const again = await start();
    expect(again.pid).not.toBe(pg.pid);
    expect(await query(again.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await again.stop();
    expect(processGone(again.pid)).toBe(true);
  });
});
