// Daemons for tests: in-process (fast, inspectable) or spawned as real processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { HttpClient } from '../../src/client/http-client.js';
import { startDaemon, type Daemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { daemonDatabase } from './database.js';

export const BIN = resolve(import.meta.dirname, '../../bin/neighborbid.js');

export async function tempDir(prefix = 'nb-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The URL of a loopback port with nothing listening on it: a daemon that cannot be reached. */
export async function deadUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

export interface TestDaemon extends Daemon {
  admin: HttpClient;
  client(token?: string): HttpClient;
}

export type StartedTestDaemon = TestDaemon & { removeDir(): Promise<void> };

/** Starts a daemon in this process on a free port against the given database (through PgBouncer when the run has one). */
export async function startTestDaemon(databaseUrl: string, options: DaemonOptions = {}): Promise<StartedTestDaemon> {
  const dir = await tempDir('nb-daemon-');
  const daemon = await startDaemon({
    port: 0,
    ...daemonDatabase(databaseUrl),
    dataDir: dir.path,
    adminToken: `nb_admin_test_${randomBytes(8).toString('hex')}`,
    logger: pino({ level: process.env.NB_TEST_LOG ?? 'silent' }),
    closerIntervalMs: 50,
    ...options,
  });
  const client = (token?: string) => new HttpClient({ url: daemon.url, token });
  return Object.assign(daemon, {
    admin: client(daemon.adminToken),
    client,
    removeDir: dir.remove,
  });
}

/** A daemon's log: one JSON object per line (pino); lines that are not JSON are left out. */
export function logLines(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    try {
      const v = JSON.parse(line) as unknown;
      return typeof v === 'object' && v !== null ? [v as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/** The log lines with this message whose fields include `fields`. */
export function logged(output: string, msg: string, fields: Record<string, unknown> = {}): Record<string, unknown>[] {
  return logLines(output).filter((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
}

/** The URL in a daemon's "listening" log line, once it is there. */
export function listeningUrl(output: string): string | undefined {
  return /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(output)?.[1];
}

export interface SpawnedDaemon {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the process to exit; resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Leaves out of a spawned daemon's environment whatever the test run itself was given. */
export const CLEAN_ENV: NodeJS.ProcessEnv = {
  DATABASE_URL: undefined,
  NEIGHBORBID_DATA_DIR: undefined,
  NEIGHBORBID_LISTEN_DATABASE_URL: undefined,
  NEIGHBORBID_ADMIN_TOKEN: undefined,
  NEIGHBORBID_LOG_LEVEL: undefined,
};

/** A spawned daemon that either listens (`daemon`) or exits first (`exit`: its code and output). */
export type Launch = { daemon: SpawnedDaemon; exit?: undefined } | { daemon?: undefined; exit: { code: number | null; output: string } };

/**
 * Spawns `neighborbid daemon` and resolves once it listens or has exited,
 * whichever comes first (for tests of daemons that must refuse to start).
 * An env entry set to undefined is removed from the child's environment.
 */
export async function launchDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Launch> {
  const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
  const child = spawn(process.execPath, [BIN, 'daemon', '--port', '0', ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string | undefined>((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started daemon behind
      fail(new Error(`daemon did not start:\n${out}`));
    }, 90_000);
    const check = () => {
      const url = listeningUrl(out);
      if (url) {
        clearTimeout(timer);
        ok(url);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      ok(undefined);
    });
  });
  if (url === undefined) return { exit: { code: await exited, output: out } };
  return {
    daemon: {
      url,
      pid: child.pid!,
      child,
      output: () => out,
      exited,
      async stop(signal: NodeJS.Signals = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill(signal);
        return exited;
      },
    },
  };
}

/**
 * Spawns `neighborbid daemon` as a real process and waits until it listens.
 * An env entry set to undefined is removed from the child's environment.
 */
export async function spawnDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedDaemon> {
  const launched = await launchDaemon(args, env);
  if (!launched.daemon) throw new Error(`daemon exited with ${launched.exit.code} before listening:\n${launched.exit.output}`);
  return launched.daemon;
}

/** Spawns `neighborbid daemon` expecting it to refuse to start; fails the test if it listens instead. */
export async function refusedDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const launched = await launchDaemon(args, env);
  if (launched.daemon) {
    const output = launched.daemon.output();
    await launched.daemon.stop('SIGTERM');
    throw new Error(`daemon started where it should have refused:\n${output}`);
  }
  return launched.exit;
}
