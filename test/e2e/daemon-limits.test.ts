// `neighborbid daemon` flags for exposure and limits, as a process: --host
// binds where it says (and only there), the limit flags reach the daemon, and a
// bench can turn the limits off to open more than a thousand sockets and
// requests from 127.0.0.1.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { CLEAN_ENV, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { listeningAddresses } from '../helpers/processes.js';
import { send } from '../helpers/raw-http.js';
import { seedUser, type Admin } from '../helpers/seed.js';
import { openWatcher, type Watcher } from '../helpers/watcher.js';

const adminToken = `nb_admin_test_${randomBytes(8).toString('hex')}`;
let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];
const daemons: SpawnedDaemon[] = [];

async function spawnWith(flags: string[]): Promise<SpawnedDaemon & Admin> {
  const dir = await tempDir('nb-limits-');
  dirs.push(dir);
  const d = await spawnDaemon(['--database-url', db.url, '--data-dir', dir.path, ...flags], { ...CLEAN_ENV, NEIGHBORBID_ADMIN_TOKEN: adminToken });
  daemons.push(d);
  return Object.assign(d, { admin: new HttpClient({ url: d.url, token: adminToken }) });
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const d of daemons) expect(await d.stop('SIGTERM')).toBe(0);
  for (const dir of dirs) await dir.remove();
  await db?.drop();
});

/** Opens n watchers, `batch` at a time. */
async function openMany(url: string, n: number, batch = 100): Promise<Watcher[]> {
  const all: Watcher[] = [];
  for (let i = 0; i < n; i += batch) all.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => openWatcher(url)))));
  return all;
}

describe('--host', () => {
  it('binds the address it names and no other', async () => {
    const d = await spawnWith(['--host', '127.0.0.2']);
    const port = Number(new URL(d.url).port);
    expect(d.url).toBe(`http://127.0.0.2:${port}`);
    expect(listeningAddresses(port)).toEqual(['127.0.0.2']);
    expect((await send(d.url, { path: '/v1/health' })).status).toBe(200);
    const refused = await new Promise<string>((ok) =>
      net.connect(port, '127.0.0.1').on('error', (e: NodeJS.ErrnoException) => ok(e.code ?? '')).on('connect', () => ok('connected')),
    );
    expect(refused).toBe('ECONNREFUSED');
  });
});

describe('limit flags', () => {
  it('reach the daemon: connections, sockets and requests per token', async () => {
    const d = await spawnWith(['--max-connections-per-ip', '2', '--max-sockets-per-ip', '1', '--rate-limit', '3', '--rate-limit-window', '30']);
    const alice = await seedUser(d, 10);
    for (let i = 0; i < 3; i++) expect((await send(d.url, { path: '/v1/me', token: alice.token })).status).toBe(200);
    const limited = await send(d.url, { path: '/v1/me', token: alice.token });
    expect(limited.status).toBe(429);
    expect(limited.json.error).toMatchObject({ code: 'RATE_LIMITED', limit: 3, windowMs: 30_000 });
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(30);

    const w = await openWatcher(d.url);
    await expect(openWatcher(d.url)).rejects.toThrow(/429/);
    await w.close();

    const { hostname, port } = new URL(d.url);
    const held = await Promise.all(
      [0, 1].map(() => new Promise<net.Socket>((ok) => { const s = net.connect(Number(port), hostname, () => ok(s)); })),
    );
    // The third connection from this address is refused, in the usual shape.
    const r = await send(d.url, { path: '/v1/health' });
    expect(r.status).toBe(429);
    expect(r.json.error).toMatchObject({ code: 'TOO_MANY_CONNECTIONS', limit: 2 });
    for (const s of held) s.destroy();
  });

  it('with 0, let a bench open 1,100 sockets and send 1,100 requests with one token from 127.0.0.1', async () => {
    const d = await spawnWith(['--max-connections-per-ip', '0', '--max-sockets-per-ip', '0', '--rate-limit', '0']);
    const bidder = await seedUser(d, 10);
    const watchers = await openMany(d.url, 1100);
    try {
      expect(watchers.filter((w) => w.ws.readyState === WebSocket.OPEN)).toHaveLength(1100);
      const statuses: number[] = [];
      for (let i = 0; i < 1100; i += 275) {
        const batch = await Promise.all(Array.from({ length: 275 }, () => send(d.url, { path: '/v1/me', token: bidder.token })));
        statuses.push(...batch.map((r) => r.status));
      }
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(statuses).toHaveLength(1100);
    } finally {
      await Promise.all(watchers.map((w) => w.close()));
    }
  });
});
