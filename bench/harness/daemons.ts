// The processes a bench run owns: a PostgreSQL (embedded in a temp directory,
// or a fresh database on DATABASE_URL's server) and daemon processes. Each is
// registered as it starts and stopped by pid at the end, on Ctrl-C, or (as a
// last resort) killed when the bench process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withClient } from './pg-client.js';
import { startEmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { binPath } from './paths.js';

type Cleanup = { pid: number | undefined; stop: () => Promise<void> };
const owned = new Set<Cleanup>();

// Registers something to stop; the returned function stops it once (a second
// caller, e.g. Ctrl-C during a normal stop, waits for the same stop), and it
// stays registered until it has stopped, so stopAll() waits for it too.
function own(pid: number | undefined, stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const entry: Cleanup = {
    pid,
    stop: () => (stopping ??= stop().finally(() => owned.delete(entry))),
  };
  owned.add(entry);
  return entry.stop;
}

/** Stops everything this process started and has not stopped yet, newest first. */
export async function stopAll(): Promise<void> {
  for (const entry of [...owned].reverse()) await entry.stop().catch(() => {});
}

/**
 * Registers a child process the bench started (a helper such as the load
 * scenario's watchers): stopAll() and the exit hook stop it by pid. `stop`
 * ends it politely; the returned function calls it once, then kills the
 * process if it is still there after `graceMs`.
 */
export function ownChild(child: ChildProcess, stop: () => void, graceMs = 5000): () => Promise<void> {
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
  return own(child.pid, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stop();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  });
}

let exitHookInstalled = false;
/** Kills what is left if the process exits without stopping it (a crash). */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const entry of owned) {
      if (entry.pid) {
        try {
          process.kill(entry.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
}

export interface BenchDatabase {
  /** A fresh, empty database for this run. */
  url: string;
  /** Where it lives: "embedded" or the server of DATABASE_URL. */
  where: string;
  /** The embedded server's pid (for its CPU use); undefined for a given server. */
  serverPid?: number;
  close(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  await withClient(url, (c) => c.query(text));
}

/**
 * A fresh database: on the server of `databaseUrl` when given (the user needs
 * CREATEDB; the database is dropped at the end), else on an embedded PostgreSQL
 * started in a temporary directory (stopped and removed at the end).
 */
export async function openBenchDatabase(databaseUrl?: string): Promise<BenchDatabase> {
  const name = `nb_bench_${randomBytes(5).toString('hex')}`;
  if (databaseUrl) {
    await adminQuery(databaseUrl, `CREATE DATABASE ${name}`);
    const close = own(undefined, () => adminQuery(databaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    return { url: withDatabase(databaseUrl, name), where: new URL(databaseUrl).host, close };
  }
  const dir = await mkdtemp(join(tmpdir(), 'nb-bench-pg-'));
  let embedded;
  try {
    // Commit timestamps time each delivery from its transaction's commit (bench load).
    embedded = await startEmbeddedPostgres({ dataDir: dir, settings: { track_commit_timestamp: 'on' } });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const e = embedded;
  const close = own(e.pid, async () => {
    await e.stop();
    await rm(dir, { recursive: true, force: true });
  });
  try {
    await adminQuery(e.adminUrl, `CREATE DATABASE ${name}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { url: withDatabase(e.adminUrl, name), where: 'embedded', serverPid: e.pid, close };
}

// The daemon's per-address connection limits and per-token rate limit: the
// bench sends every request and opens every socket from one address, far
// above what one client may use, so its daemons run without them.
export const NO_LIMIT_ARGS: readonly string[] = ['--max-connections-per-ip', '0', '--max-sockets-per-ip', '0', '--rate-limit', '0'];

export interface BenchDaemon {
  url: string;
  pid: number;
  adminToken: string;
  /** Everything the daemon wrote (its last 64 KiB). */
  output(): string;
  stop(): Promise<void>;
}

export interface DaemonSpawnOptions {
  databaseUrl: string;
  /** Shared by several daemons on one database, so one admin client works with all. */
  adminToken?: string;
  env?: NodeJS.ProcessEnv;
  /** More `neighborbid daemon` flags. */
  args?: string[];
}

/** Starts `neighborbid daemon` as its own process on a free loopback port. */
export async function spawnBenchDaemon(options: DaemonSpawnOptions): Promise<BenchDaemon> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nb-bench-daemon-'));
  const adminToken = options.adminToken ?? `nb_admin_bench_${randomBytes(12).toString('hex')}`;
  // For profiling the daemon, e.g. NB_BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.NB_BENCH_DAEMON_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(
    process.execPath,
    // The limits per peer would throttle the load generator itself (one address, few tokens): off.
    [...nodeArgs, binPath(), 'daemon', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...NO_LIMIT_ARGS, ...(options.args ?? [])],
    {
      env: { ...process.env, ...options.env, DATABASE_URL: options.databaseUrl, NEIGHBORBID_ADMIN_TOKEN: adminToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const keep = (c: Buffer) => {
    out += c.toString();
    if (out.length > 65_536) out = out.slice(-65_536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = own(child.pid, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  try {
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`the daemon did not start in 90 s:\n${out}`)), 90_000);
      const check = () => {
        const m = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        fail(new Error(`the daemon exited before listening:\n${out}`));
      });
    });
    return { url, pid: child.pid!, adminToken, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
