// Issue 14, defects 4 and 8: no way out of the daemon leaves its PostgreSQL
// running unsaid. A start that fails after PostgreSQL came up (the port is
// taken; the admin token file is garbage) stops it, and so does a second
// SIGTERM in the middle of a shutdown. An empty admin token file is given a
// fresh token, and the log says so; a garbage one is refused in one line.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { BIN, CLEAN_ENV, logged, refusedDaemon, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { postmasterPid, removeDataDir, waitGone } from '../helpers/processes.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { openWatcher } from '../helpers/watcher.js';

const spawned: SpawnedDaemon[] = [];
const dirs: string[] = [];
let blocker: Server | undefined;

afterEach(async () => {
  for (const d of spawned.splice(0)) await d.stop('SIGKILL');
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  blocker = undefined;
});
afterAll(async () => {
  for (const dir of dirs) await removeDataDir(dir);
});

/** A data directory that already holds a cluster (made by a first, normal run). */
async function usedDataDir(): Promise<string> {
  const dir = (await tempDir('nb-exit-')).path;
  dirs.push(dir);
  const d = await spawnDaemon(['--data-dir', dir], CLEAN_ENV);
  expect(await d.stop('SIGTERM')).toBe(0);
  return dir;
}

/** The pid of the PostgreSQL a daemon's output says it started. */
function startedPid(output: string): number {
  const m = /"postgresPid":(\d+)[^\n]*"msg":"started PostgreSQL"/.exec(output);
  expect(m, output).not.toBeNull();
  return Number(m![1]);
}

/** The lines the CLI itself wrote (not the JSON log lines). */
function cliLines(output: string): string[] {
  return output.split('\n').filter((l) => l.startsWith('neighborbid:'));
}

describe('every way out stops the PostgreSQL it started', () => {
  it('stops it when the start fails after PostgreSQL came up (the port is taken)', async () => {
    const dir = await usedDataDir();
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;

    const failed = await refusedDaemon(['--data-dir', dir, '--port', String(port)], CLEAN_ENV);
    expect(failed.code).not.toBe(0);
    const pgPid = startedPid(failed.output);
    expect(await waitGone(pgPid, 10_000)).toBe(true);
    expect(postmasterPid(dir)).toBeUndefined();
    expect(cliLines(failed.output)).toEqual([expect.stringContaining(`${port}`)]);
  });

  it('refuses a garbage admin token file in one line, and stops the PostgreSQL it started', async () => {
    const dir = await usedDataDir();
    await writeFile(join(dir, 'admin-token'), 'nb_admin_\0garbage\n');
    const refused = await refusedDaemon(['--data-dir', dir], CLEAN_ENV);
    expect(refused.code).toBe(1);
    const lines = cliLines(refused.output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(dir, 'admin-token'));
    expect(lines[0]).toMatch(/NUL|0x00/);
    expect(refused.output).not.toMatch(/    at /); // no stack trace
    expect(await waitGone(startedPid(refused.output), 10_000)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['white space only', '  \n\t\n'],
  ])('writes a fresh admin token into an %s admin token file, and says so', async (_name, content) => {
    const dir = await usedDataDir();
    const file = join(dir, 'admin-token');
    await writeFile(file, content);
    const d = await spawnDaemon(['--data-dir', dir], CLEAN_ENV);
    spawned.push(d);
    expect(logged(d.output(), 'the admin token file was empty; wrote a fresh admin token to it', { file, mode: '0600' })).toHaveLength(1);
    const token = (await readFile(file, 'utf8')).trim();
    expect(token).toMatch(/^nb_admin_[A-Za-z0-9_-]{43}$/);
    const admin = new HttpClient({ url: d.url, token });
    expect((await admin.createUser('after-empty-token', 0)).name).toBe('after-empty-token');
    expect(await d.stop('SIGTERM')).toBe(0);
  });

  it('stops it on a second SIGTERM in the middle of a shutdown, and says so', async () => {
    const dir = await usedDataDir();
    const d = await spawnDaemon(['--data-dir', dir], CLEAN_ENV);
    spawned.push(d);
    const pgPid = postmasterPid(dir)!;
    // A socket that never answers the close handshake holds the first shutdown for a while.
    const stuck = await openRawSocket(d.url);
    stuck.socket.pause();
    const watcher = await openWatcher(d.url);
    try {
      d.child.kill('SIGTERM');
      expect(await watcher.closed).toEqual({ code: 1001, reason: 'SHUTTING_DOWN' }); // the shutdown has begun
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(130);
      expect(await waitGone(pgPid, 10_000)).toBe(true);
      expect(d.output()).toMatch(new RegExp(`second SIGTERM: stopping PostgreSQL pid ${pgPid} at once`));
    } finally {
      stuck.socket.destroy();
    }
  });

  it('stops it on a SIGTERM that comes while the daemon is still starting', async () => {
    const dir = (await tempDir('nb-exit-starting-')).path;
    dirs.push(dir);
    const env = Object.fromEntries(Object.entries({ ...process.env, ...CLEAN_ENV }).filter(([, v]) => v !== undefined));
    const child = spawn(process.execPath, [BIN, 'daemon', '--port', '0', '--data-dir', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const started = new Promise<number>((resolve) => {
      const look = (c: Buffer) => {
        out += c.toString();
        const m = /"postgresPid":(\d+)[^\n]*"msg":"started PostgreSQL"/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', look);
    });
    const pgPid = await Promise.race([started, exited.then((code) => Promise.reject(new Error(`exited with ${code}:\n${out}`)))]);
    child.kill('SIGTERM'); // PostgreSQL is up; migrations and the listener are still to come
    expect(await exited).toBe(0);
    expect(await waitGone(pgPid, 10_000)).toBe(true);
    expect(out).toMatch(/stopped before it had started|"msg":"stopped; /);
  });
});
