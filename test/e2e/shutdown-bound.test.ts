// Issue 14, defect 5: SIGTERM ends the daemon within its documented bound
// (SHUTDOWN_BOUND_MS, 10 s) whatever its sockets are doing. Each kind of socket
// abuse is tried alone, to name the ones that held a shutdown for ever (a
// request whose headers never end: Node stops timing requests out once its
// server is closing; a refused upgrade whose peer never closes: the socket
// stays half-open), then all of them at once on the embedded PostgreSQL,
// which must be stopped too.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_BOUND_MS } from '../../src/daemon/daemon.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { postmasterPid, removeDataDir, waitGone } from '../helpers/processes.js';
import { send } from '../helpers/raw-http.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { report } from '../helpers/tally.js';

const adminToken = `nb_admin_bound_${randomBytes(8).toString('hex')}`;
let db: TestDatabase;
const spawned: SpawnedDaemon[] = [];
const dirs: { path: string; remove(): Promise<void> }[] = [];
const opened: Socket[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const s of opened) s.destroy();
  for (const d of spawned) await d.stop('SIGKILL');
  for (const dir of dirs) await removeDataDir(dir.path);
  await db?.drop();
});

/** A TCP connection to the daemon that writes `bytes` and then neither reads nor closes. */
async function rawConnection(url: string, bytes: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  opened.push(socket);
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(bytes);
  return socket;
}

const handshake = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

type Abuse = (url: string) => Promise<void>;

const abuses: Record<string, Abuse> = {
  'headers that never end (slowloris)': async (url) => {
    await rawConnection(url, 'GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  },
  'a refused upgrade whose peer never closes': async (url) => {
    await rawConnection(url, handshake('/v1/not-a-socket'));
  },
  'a body that never ends': async (url) => {
    await rawConnection(url, 'POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":');
  },
  'a WebSocket that never reads, flooded with pings': async (url) => {
    const ws = await openRawSocket(url);
    opened.push(ws.socket);
    ws.socket.pause();
    for (let i = 0; i < 20_000; i++) ws.sendPing();
  },
  'WebSockets reset without a close': async (url) => {
    for (let i = 0; i < 20; i++) {
      const ws = await openRawSocket(url);
      ws.socket.resetAndDestroy();
    }
  },
  'an idle keep-alive connection': async (url) => {
    const s = await rawConnection(url, 'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((r) => s.once('data', () => r()));
  },
};

/** Sends SIGTERM and resolves with the milliseconds until exit; fails once the bound is well passed. */
async function timedStop(d: SpawnedDaemon): Promise<{ ms: number; code: number | null }> {
  const started = Date.now();
  d.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    d.exited,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`still running ${(SHUTDOWN_BOUND_MS + 5000) / 1000} s after SIGTERM:\n${d.output().slice(-2000)}`)), SHUTDOWN_BOUND_MS + 5000);
    }),
  ]).finally(() => clearTimeout(timer));
  return { ms: Date.now() - started, code };
}

describe('SIGTERM within its bound whatever the sockets do', () => {
  it.each(Object.keys(abuses))('%s', async (name) => {
    const dir = await tempDir('nb-bound-');
    dirs.push(dir);
    const d = await spawnDaemon(['--database-url', db.url, '--data-dir', dir.path], { ...CLEAN_ENV, NEIGHBORBID_ADMIN_TOKEN: adminToken });
    spawned.push(d);
    await abuses[name]!(d.url);
    // A request after the abuse: the daemon has taken in what came before it.
    expect((await send(d.url, { path: '/v1/health' })).status).toBe(200);
    const { ms, code } = await timedStop(d);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_BOUND_MS);
  });

  it('all of them at once, on the embedded PostgreSQL, which is stopped too', async () => {
    const dir = await tempDir('nb-bound-all-');
    dirs.push(dir);
    const d = await spawnDaemon(['--data-dir', dir.path], CLEAN_ENV);
    spawned.push(d);
    const pgPid = postmasterPid(dir.path)!;
    for (const abuse of Object.values(abuses)) await abuse(d.url);
    const token = (await readFile(join(dir.path, 'admin-token'), 'utf8')).trim();
    expect((await send(d.url, { path: '/v1/audit', token })).status).toBe(200);
    const { ms, code } = await timedStop(d);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_BOUND_MS);
    expect(await waitGone(pgPid, 1000)).toBe(true);
    report({
      fault: 'SIGTERM during socket abuse (slowloris, endless body, refused upgrade left open, WebSocket not read and ping-flooded, sockets reset, idle keep-alive)',
      operations: 20_000 + 20 + 5,
      checked: `exit code 0 in ${ms} ms (bound ${SHUTDOWN_BOUND_MS / 1000} s); the embedded PostgreSQL stopped (by pid); each abuse alone also within the bound`,
      lost: 0,
    });
  });
});
