// Processes and data directories of the embedded PostgreSQL, for tests that
// kill things: find the server's pid, wait for a process to be gone, and
// remove a data directory with whatever cluster it made.
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pollUntil } from './poll.js';

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
  return pollUntil(() => processGone(pid), { timeoutMs, what: `pid ${pid} to go` }).then(
    () => true,
    () => false,
  );
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

/**
 * The URL of the `neighborbid` database of a spawned daemon's embedded
 * PostgreSQL, from its data directory's password and the port its log names
 * last (a restarted server keeps its port).
 */
export function embeddedDatabaseUrl(dataDir: string, daemonOutput: string): string {
  const ports = [...daemonOutput.matchAll(/"port":(\d+)[^\n]*"msg":"(?:started|adopted) PostgreSQL"/g)];
  if (ports.length === 0) throw new Error('the daemon has not said where its PostgreSQL listens');
  const password = readFileSync(join(dataDir, 'pg-password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${ports.at(-1)![1]}/neighborbid`;
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

/** The local addresses a TCP port is listened on, as the kernel shows them (/proc/net/tcp, tcp6). */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':') as [string, string];
      if (parseInt(portHex, 16) !== port) continue;
      found.push(hex.length === 8 ? ipv4(hex) : ipv6(hex));
    }
  }
  return found;
}

function ipv4(hex: string): string {
  // Stored as one little-endian 32-bit word.
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  // Four little-endian 32-bit words.
  const bytes = [0, 8, 16, 24].flatMap((w) => [6, 4, 2, 0].map((i) => hex.slice(w + i, w + i + 2)));
  const groups = Array.from({ length: 8 }, (_, g) => parseInt(bytes[2 * g]! + bytes[2 * g + 1]!, 16).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
