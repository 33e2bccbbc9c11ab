// The daemon's log as an operator's log shipper reads it: JSON lines whose
// facts are fields (not only words in the message), at the level
// NEIGHBORBID_LOG_LEVEL or --log-level asks for (the flag wins).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { BIN, CLEAN_ENV, logLines, logged, spawnDaemon, tempDir } from '../helpers/daemon.js';
import { send } from '../helpers/raw-http.js';
import { waitFor } from '../helpers/poll.js';

let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  for (const d of dirs) await d.remove();
});

/** Spawns a daemon on the test database with these flags and environment. */
async function daemonWith(flags: string[], env: NodeJS.ProcessEnv) {
  const dir = await tempDir('nb-logs-');
  dirs.push(dir);
  return spawnDaemon(['--database-url', db.url, '--data-dir', dir.path, ...flags], {
    ...CLEAN_ENV,
    NEIGHBORBID_ADMIN_TOKEN: `nb_admin_logs_${randomBytes(8).toString('hex')}`,
    ...env,
  });
}

describe('daemon logs', () => {
  it('log at the level NEIGHBORBID_LOG_LEVEL names, with the facts as fields', async () => {
    const d = await daemonWith([], { NEIGHBORBID_LOG_LEVEL: 'debug' });
    try {
      const [listening] = logged(d.output(), 'listening');
      expect(listening).toMatchObject({ level: 30, version: VERSION, url: d.url, postgres: 'given' });
      await send(d.url, { path: '/v1/health/live' });
      await waitFor(() => logged(d.output(), 'request', { url: '/v1/health/live' }).length === 1, 10_000, 'the debug line of the request');
      expect(logged(d.output(), 'request', { url: '/v1/health/live' })[0]).toMatchObject({ level: 20, method: 'GET', status: 200 });
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });

  it('let --log-level win over NEIGHBORBID_LOG_LEVEL', async () => {
    const d = await daemonWith(['--log-level', 'info'], { NEIGHBORBID_LOG_LEVEL: 'debug' });
    await send(d.url, { path: '/v1/health/live' });
    expect(await d.stop()).toBe(0);
    // "stopped" is logged after every request was answered: nothing more is coming.
    expect(logged(d.output(), 'stopped; every request read was answered')).toHaveLength(1);
    expect(logLines(d.output()).filter((l) => (l.level as number) < 30)).toEqual([]);
  });

  it('refuse a NEIGHBORBID_LOG_LEVEL that is no level as a usage error', () => {
    const r = spawnSync(process.execPath, [BIN, 'daemon', '--port', '0'], {
      encoding: 'utf8',
      env: { ...process.env, NEIGHBORBID_LOG_LEVEL: 'loud' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/'loud' from env 'NEIGHBORBID_LOG_LEVEL' is invalid/);
    expect(r.stderr).not.toContain('    at ');
  });
});
