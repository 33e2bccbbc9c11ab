// Runs the real CLI (`node bin/neighborbid.js …`) as a process, against a daemon
// started in the test process, with a throwaway home so nothing touches the
// real one. Spawns asynchronously: the daemon answering it lives in this process.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestDatabase } from './database.js';
import { BIN, tempDir, type TestDaemon } from './daemon.js';
import { startDaemonFixture } from './fixture.js';
import type { CreateAuctionBody } from '../../src/protocol/schemas.js';
import type { Auction, CreatedUser } from '../../src/protocol/types.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end, collecting stdout, stderr and the exit code; `input` is its stdin (else none). */
export function runProcess(
  file: string,
  args: string[],
  { input, ...options }: { env: NodeJS.ProcessEnv; cwd?: string; input?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    // A child may leave without reading its input (EPIPE): what it printed is the result.
    child.stdin?.on('error', () => {}).end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `node bin/neighborbid.js ...args` with exactly this environment (plus PATH), and `input` on stdin. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = [], input?: string): Promise<CliResult> {
  return runProcess(process.execPath, [...nodeArgs, BIN, ...args], { env: { PATH: process.env.PATH, ...env }, input });
}

/** A CLI process that keeps running (`watch`): its output so far, and ways to wait for more and to stop it. */
export interface CliProcess {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** The complete lines on stdout so far. */
  lines(): string[];
  /** Waits until stdout holds `count` complete lines matching `match`; returns those lines. */
  waitForLines(match: RegExp | ((line: string) => boolean), count?: number, timeoutMs?: number): Promise<string[]>;
  /** Waits until stderr matches. */
  waitForStderr(match: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the process has exited: its exit code (null when a signal ended it), signal and output. */
  exited: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  /** Waits for the exit, at most `timeoutMs`; the process is killed if it has not exited by then. */
  exit(timeoutMs?: number): Promise<CliResult & { signal: NodeJS.Signals | null }>;
  /** Sends a signal (if it still runs) and waits for the exit; kills it if it does not go within `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts `node bin/neighborbid.js ...args` with exactly this environment (plus PATH) and leaves it running. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const changed = new Set<() => void>();
  const notify = () => changed.forEach((f) => f());
  child.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), notify()));
  child.stderr.on('data', (c: Buffer) => ((stderr += c.toString()), notify()));
  const exited = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  let gone = false;
  void exited.then(() => ((gone = true), notify()));
  const lines = () => stdout.split('\n').slice(0, -1);
  /** Resolves once `check` returns something, or fails after `timeoutMs` (or when the process exits first). */
  const until = <T>(check: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const done = (err?: Error, value?: T) => {
        changed.delete(look);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value!);
      };
      const look = () => {
        const value = check();
        if (value !== undefined) return done(undefined, value);
        if (gone) done(new Error(`the CLI exited before ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      };
      const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`)), timeoutMs);
      changed.add(look);
      look();
    });
  const exit = async (timeoutMs = 30_000) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    lines,
    waitForLines(match, count = 1, timeoutMs = 30_000) {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      return until(
        () => {
          const found = lines().filter(test);
          return found.length >= count ? found : undefined;
        },
        `${count} line(s) matching ${String(match)}`,
        timeoutMs,
      );
    },
    waitForStderr(match, timeoutMs = 30_000) {
      return until(() => (match.test(stderr) ? true : undefined), `stderr matching ${String(match)}`, timeoutMs).then(() => {});
    },
    exited,
    exit,
    stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (!gone) child.kill(signal);
      return exit(timeoutMs);
    },
  };
}

export interface CliFixture {
  db: TestDatabase;
  daemon: TestDaemon & { removeDir(): Promise<void> };
  /** A temporary HOME with XDG_CONFIG_HOME and XDG_DATA_HOME inside it. */
  home: string;
  /** The environment every run gets: the daemon's URL, the temporary home, no colour settings. */
  env: NodeJS.ProcessEnv;
  /** Runs the CLI with the fixture's environment plus `extraEnv`, and `input` on stdin. */
  run(args: string[], extraEnv?: NodeJS.ProcessEnv, input?: string): Promise<CliResult>;
  /** Starts the CLI with the fixture's environment plus `extraEnv` and leaves it running. */
  spawn(args: string[], extraEnv?: NodeJS.ProcessEnv): CliProcess;
  /** Runs the CLI with --json and parses stdout. */
  json<T = any>(args: string[], extraEnv?: NodeJS.ProcessEnv, input?: string): Promise<CliResult & { body: T }>;
  close(): Promise<void>;
}

/**
 * A fresh database, an in-process daemon and a temporary home whose data
 * directory holds the daemon's admin token, as on the daemon's own machine.
 */
export async function startCliFixture(): Promise<CliFixture> {
  const { db, daemon, close } = await startDaemonFixture();
  const home = await tempDir('nb-cli-home-');
  const env = {
    HOME: home.path,
    XDG_CONFIG_HOME: join(home.path, 'config'),
    XDG_DATA_HOME: join(home.path, 'data'),
    NEIGHBORBID_URL: daemon.url,
  };
  await mkdir(join(env.XDG_DATA_HOME, 'neighborbid'), { recursive: true });
  await writeFile(join(env.XDG_DATA_HOME, 'neighborbid', 'admin-token'), `${daemon.adminToken}\n`, { mode: 0o600 });
  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string) => runCli(args, { ...env, ...extraEnv }, [], input);
  return {
    db,
    daemon,
    home: home.path,
    env,
    run,
    spawn: (args, extraEnv = {}) => spawnCli(args, { ...env, ...extraEnv }),
    async json(args, extraEnv, input) {
      const r = await run([...args, '--json'], extraEnv, input);
      let body: any;
      try {
        body = JSON.parse(r.stdout);
      } catch {
        throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
      }
      return { ...r, body };
    },
    async close() {
      await close();
      await home.remove();
    },
  };
}

/**
 * Registers hooks that give the file its own CLI fixture, closed after its
 * last test. The object is filled in place before the first test, so a file
 * may hold it from its top: `const f = useCliFixture();`.
 */
export function useCliFixture(): CliFixture {
  const f = {} as CliFixture;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const started = await startCliFixture();
    close = started.close;
    Object.assign(f, started);
  });
  afterAll(() => close?.());
  return f;
}

/** A user made on `f`'s daemon before the file's first test (after the fixture's own hook), filled in place like it. */
export function useCliUser(f: CliFixture, name: string, balance?: number): CreatedUser {
  const user = {} as CreatedUser;
  beforeAll(async () => {
    Object.assign(user, await f.daemon.admin.createUser(name, balance));
  });
  return user;
}

/** A CLI fixture with a seller (no money) and two bidders, alice and bob (1,000,000 each). */
export interface CliMarket {
  f: CliFixture;
  seller: CreatedUser;
  alice: CreatedUser;
  bob: CreatedUser;
}

/** The file's CLI market: `const m = useCliMarket(); const { f, alice } = m;`. */
export function useCliMarket(): CliMarket {
  const f = useCliFixture();
  return { f, seller: useCliUser(f, 'seller'), alice: useCliUser(f, 'alice', 1_000_000), bob: useCliUser(f, 'bob', 1_000_000) };
}

/** The seller's "Brass lamp": start 1,000, increment 100, ten minutes, unless `extra` says otherwise. */
export function brassLamp(m: CliMarket, extra: Partial<CreateAuctionBody> = {}): Promise<Auction> {
  return m.f.daemon.client(m.seller.token).createAuction({ title: 'Brass lamp', startPrice: 1000, minIncrement: 100, durationSec: 600, ...extra });
}

/** The environment that makes the CLI act as `u`. */
export const as = (u: CreatedUser): NodeJS.ProcessEnv => ({ NEIGHBORBID_TOKEN: u.token });

/** A list to put long-running CLI processes in (`watch`, `inbox --follow`): each is killed after its test, whatever happens. */
export function stoppedAfterEach(): CliProcess[] {
  const running: CliProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
  });
  return running;
}
