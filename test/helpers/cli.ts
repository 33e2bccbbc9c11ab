// Runs the real CLI (`node bin/neighborbid.js …`) as a process, against a daemon
// started in the test process, with a throwaway home so nothing touches the
// real one. Spawns asynchronously: the daemon answering it lives in this process.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database.js';
import { BIN, startTestDaemon, tempDir, type TestDaemon } from './daemon.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end, collecting stdout, stderr and the exit code. */
export function runProcess(file: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `node bin/neighborbid.js ...args` with exactly this environment (plus PATH). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<CliResult> {
  return runProcess(process.execPath, [...nodeArgs, BIN, ...args], { env: { PATH: process.env.PATH, ...env } });
}

export interface CliFixture {
  db: TestDatabase;
  daemon: TestDaemon & { removeDir(): Promise<void> };
  /** A temporary HOME with XDG_CONFIG_HOME and XDG_DATA_HOME inside it. */
  home: string;
  /** The environment every run gets: the daemon's URL, the temporary home, no colour settings. */
  env: NodeJS.ProcessEnv;
  /** Runs the CLI with the fixture's environment plus `extraEnv`. */
  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Runs the CLI with --json and parses stdout. */
  json<T = any>(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult & { body: T }>;
  close(): Promise<void>;
}

/**
 * A fresh database, an in-process daemon and a temporary home whose data
 * directory holds the daemon's admin token, as on the daemon's own machine.
 */
export async function startCliFixture(): Promise<CliFixture> {
  const db = await createTestDatabase();
  const daemon = await startTestDaemon(db.url);
  const home = await tempDir('nb-cli-home-');
  const env = {
    HOME: home.path,
    XDG_CONFIG_HOME: join(home.path, 'config'),
    XDG_DATA_HOME: join(home.path, 'data'),
    NEIGHBORBID_URL: daemon.url,
  };
  await mkdir(join(env.XDG_DATA_HOME, 'neighborbid'), { recursive: true });
  await writeFile(join(env.XDG_DATA_HOME, 'neighborbid', 'admin-token'), `${daemon.adminToken}\n`, { mode: 0o600 });
  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(args, { ...env, ...extraEnv });
  return {
    db,
    daemon,
    home: home.path,
    env,
    run,
    async json(args, extraEnv) {
      const r = await run([...args, '--json'], extraEnv);
      let body: any;
      try {
        body = JSON.parse(r.stdout);
      } catch {
        throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
      }
      return { ...r, body };
    },
    async close() {
      await daemon.close();
      await daemon.removeDir();
      await home.remove();
      await db.drop();
    },
  };
}
