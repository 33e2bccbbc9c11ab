// Process control of the embedded PostgreSQL: start a postmaster detached (in
// its own process group, logging to a file, so a Ctrl-C reaches the daemon
// first and PostgreSQL outlives a killed daemon), adopt one a dead daemon left
// running, tell a live server of this cluster from a reused pid, and stop one
// with escalating signals by a deadline.
import type { PgLog } from './pg-log.js';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chown, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import type { Binaries, Ids } from './as-root.js';

/** A running postmaster. */
export interface Postmaster {
  pid: number;
  port: number;
  /** How it ends ("killed by SIGKILL", "exited with code 1"), when we started it; undefined for one we adopted. */
  ended?: Promise<string>;
}

export function urlFor(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** True once the process has exited (an unreaped zombie counts as exited). */
export function isGone(pid: number): boolean {
  return !isAlive(pid) || isZombie(pid);
}

// Only this cluster's own postmaster counts: a pid from a stale file may since
// belong to any process, another cluster's PostgreSQL included, which we must
// neither adopt nor stop. Its command line names its data directory (-D).
export function isServerOf(pid: number, clusterDir: string): boolean {
  let command: string;
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // No /proc (macOS): ask ps.
    command = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).stdout ?? '';
  }
  return command.includes('postgres') && command.split(/[\0\s]/).includes(clusterDir);
}

/**
 * The server a postmaster.pid names, if it is this cluster's and alive: a
 * daemon that died left it running, and we hold the data directory's lock, so
 * it is ours now. A pid file whose process is gone (or is now some other
 * program, or another cluster's server) is removed so the start is clean.
 */
export async function adoptRunning(clusterDir: string, password: string, log: PgLog): Promise<Postmaster | undefined> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (pid > 0 && isAlive(pid) && isServerOf(pid, clusterDir) && port > 0) {
    if (await waitReady(urlFor(password, port, 'postgres'), 30_000, () => !isGone(pid))) {
      return { pid, port };
    }
    log('PostgreSQL does not answer; stopping it', { postgresPid: pid });
    await stopPid(pid, Date.now() + 35_000);
  } else {
    log("removing a stale postmaster.pid (its pid is not this cluster's server)", { stalePid: Number(lines[0]) });
  }
  await rm(pidFile, { force: true });
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

/** The last lines of a log file ('' when there is none). */
export function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface ServerOptions {
  bins: Binaries;
  clusterDir: string;
  /** PostgreSQL's log, appended to; it outlives the daemon. */
  logFile: string;
  password: string;
  ids: Ids;
  settings: Record<string, string | number>;
  /** The port to listen on (a restart keeps the one every pool knows); a free one when absent. */
  port?: number;
  /** Starts tried before giving up, when a killed server's leftovers are in the way. */
  attempts?: number;
  /** Told the pid of each postmaster spawned, before it is ready (so it can be stopped while starting). */
  onSpawn?: (pid: number) => void;
}

/** Starts a postmaster and resolves once it accepts connections. */
export async function startServer(o: ServerOptions, log: PgLog): Promise<Postmaster> {
  const attempts = o.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const port = o.port ?? (await freePort());
    const conf = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      max_connections: 300,
      // A new WAL segment is not filled with zeros first: that is 16 MB written
      // and flushed inside some commit, and a young cluster (every segment new,
      // none yet recycled) paid it every couple of seconds under load — a stall
      // of tens of ms for everyone waiting on a hot auction (docs/design.md,
      // "Embedded PostgreSQL"). The WAL is still flushed at every commit.
      wal_init_zero: 'off',
      ...o.settings,
    };
    const args = ['-D', o.clusterDir, '-p', String(port)];
    for (const [k, v] of Object.entries(conf)) args.push('-c', `${k}=${v}`);
    const fd = openSync(o.logFile, 'a', 0o600);
    if (o.ids) await chown(o.logFile, o.ids.uid, o.ids.gid).catch(() => {});
    // Detached, in its own process group and logging to a file: a Ctrl-C in
    // the terminal reaches the daemon, which stops PostgreSQL after its own work.
    const child = spawn(o.bins.postgres, args, { ...o.ids, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    let exited = false;
    const ended = new Promise<string>((r) =>
      child.once('exit', (code, signal) => {
        exited = true;
        r(signal ? `killed by ${signal}` : `exited with code ${code}`);
      }),
    );
    const pid = child.pid!;
    o.onSpawn?.(pid);
    if (await waitReady(urlFor(o.password, port, 'postgres'), 60_000, () => !exited)) return { pid, port, ended };
    if (!exited) await stopPid(pid, Date.now() + 35_000);
    const tail = logTail(o.logFile, 8);
    // Backends of a killed server can hold its shared memory for a moment.
    if (attempt < attempts && /shared memory|already in use|could not bind|lock file/i.test(tail)) {
      log('PostgreSQL did not start; retrying', { attempt });
      await new Promise((r) => setTimeout(r, 1000 * attempt));
      continue;
    }
    throw new Error(`PostgreSQL did not start; see ${o.logFile}:\n${tail}`);
  }
}

async function waitReady(url: string, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`SELECT 1`;
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }
  return false;
}

/**
 * Stops a postmaster by `deadline` (epoch ms): fast shutdown (SIGINT: every
 * session ends, a checkpoint is written) until 1.5 s before it, then
 * immediate shutdown (SIGQUIT: no checkpoint; the next start replays the WAL,
 * so nothing committed is lost), then SIGKILL for the last half second.
 * Resolves with how it stopped, or undefined when it was already gone.
 */
export async function stopPid(pid: number, deadline: number): Promise<'fast' | 'immediate' | 'killed' | 'still running' | undefined> {
  const steps: [NodeJS.Signals, 'fast' | 'immediate' | 'killed', number][] = [
    ['SIGINT', 'fast', deadline - 1500],
    ['SIGQUIT', 'immediate', deadline - 500],
    ['SIGKILL', 'killed', deadline],
  ];
  let sent: 'fast' | 'immediate' | 'killed' | undefined;
  for (const [signal, how, until] of steps) {
    try {
      process.kill(pid, signal);
    } catch {
      return sent; // gone between two checks: by the previous signal (or already, before the first)
    }
    sent = how;
    do {
      if (isGone(pid)) return how;
      await new Promise((r) => setTimeout(r, 25));
    } while (Date.now() < until);
  }
  return isGone(pid) ? 'killed' : 'still running';
}
