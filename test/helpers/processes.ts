// Processes and data directories of the embedded PostgreSQL, for tests that
// kill things: find the server's pid, wait for a process to be gone, and
// remove a data directory with whatever cluster it made.
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/** True when the process has exited (a zombie counts as exited). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    return /\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Waits until the process is gone; false if it is still there after timeoutMs. */
export async function waitGone(pid: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!processGone(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Where the embedded cluster of a data directory lives (see embedded-postgres.ts). */
export function clusterDirOf(dataDir: string): string {
  const location = join(dataDir, 'pg-cluster-location');
  return existsSync(location) ? readFileSync(location, 'utf8').trim() : join(dataDir, 'pg');
}

/** The postmaster's pid from its pid file, if the file is there. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(clusterDirOf(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stops a postgres a test left behind (by its pid file) and removes the data directory and its cluster. */
export async function removeDataDir(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid !== undefined && !processGone(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(clusterDirOf(dataDir))) {
    process.kill(pid, 'SIGQUIT');
    await waitGone(pid, 10_000);
  }
  const cluster = clusterDirOf(dataDir);
  if (!cluster.startsWith(dataDir)) await rm(cluster, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
}
