// The CLI's user commands, `me`, `login`, `logout` and `status`, as real processes against a real daemon.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliFixture, type CliFixture } from '../helpers/cli.js';
import { deadUrl, tempDir } from '../helpers/daemon.js';
import { VERSION } from '../../src/version.js';

let f: CliFixture;

beforeAll(async () => {
  f = await startCliFixture();
});

afterAll(async () => {
  await f?.close();
});

const TOKEN = /^nb_u\d+_[A-Za-z0-9_-]{43}$/;

/** Runs `body` with a fresh directory (a home for the config file), removed afterwards. */
async function inTempHome(prefix: string, body: (home: { path: string }) => Promise<void>): Promise<void> {
  const home = await tempDir(prefix);
  try {
    await body(home);
  } finally {
    await home.remove();
  }
}

describe('user create', () => {
  it('creates a user and shows the token once, in aligned lines with money formatted', async () => {
    const r = await f.run(['user', 'create', 'alice', '--balance', '10,000']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const id = /^Created user (\d+)\.$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(r.stdout).toMatch(new RegExp(`^id       ${id}$`, 'm'));
    expect(r.stdout).toMatch(/^name     alice$/m);
    expect(r.stdout).toMatch(/^balance  10,000$/m);
    expect(r.stdout).toMatch(/^token    nb_u\d+_\S+$/m);
    expect(r.stdout).toContain('shown only this once');
  });

  it('prints the API object with --json', async () => {
    const r = await f.json(['user', 'create', 'bob', '--balance', '2_500']);
    expect(r.code).toBe(0);
    expect(r.body).toMatchObject({ name: 'bob', balance: 2500 });
    expect(r.body.token).toMatch(TOKEN);
    expect(Object.keys(r.body).sort()).toEqual(['balance', 'id', 'name', 'token']);
  });

  it('prints only the token with --quiet, and the token works', async () => {
    const r = await f.run(['user', 'create', 'quiet', '-q']);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(TOKEN);
    expect(r.stdout).toBe(`${token}\n`);
    const me = await f.json(['me', '--token', token]);
    expect(me.body).toMatchObject({ name: 'quiet', balance: 0, held: 0, available: 0 });
  });

  it('refuses a malformed balance as a usage error, before asking the daemon', async () => {
    for (const bad of ['10.5', '1,00', '-5', '1e4', 'ten']) {
      const r = await f.run(['user', 'create', 'nobody', `--balance=${bad}`]);
      expect(r.code, bad).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^neighborbid: INVALID_INPUT: invalid --balance '.*': an amount is a whole number, written 10000, 10_000 or 10,000 \(see 'neighborbid user create --help'\)\.\n$/);
    }
    const list = await f.daemon.admin.audit();
    expect(list.users).toBe(3);
  });

  it('passes on the daemon\'s validation as a usage error, in JSON on stdout too', async () => {
    const r = await f.json(['user', 'create', 'x'.repeat(65)]);
    expect(r.code).toBe(2);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    expect(r.body.error.message).toMatch(/64 characters/);
    expect(r.stderr).toMatch(/^neighborbid: INVALID_INPUT: .*64 characters.*\n$/);
  });
});

describe('admin token', () => {
  it('reads it from NEIGHBORBID_ADMIN_TOKEN before the data directory', async () => {
    const wrong = await f.run(['user', 'create', 'x'], { NEIGHBORBID_ADMIN_TOKEN: 'nb_admin_wrong' });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toBe('neighborbid: UNAUTHORIZED: The token is not valid.\n');
    const right = await f.run(['user', 'create', 'envadmin', '-q'], {
      NEIGHBORBID_ADMIN_TOKEN: f.daemon.adminToken,
      XDG_DATA_HOME: join(f.home, 'nowhere'),
    });
    expect(right.code).toBe(0);
  });

  it('reads it from --data-dir or NEIGHBORBID_DATA_DIR', async () => {
    const dir = await tempDir('nb-cli-data-');
    try {
      await writeFile(join(dir.path, 'admin-token'), `${f.daemon.adminToken}\n`, { mode: 0o600 });
      const flag = await f.run(['user', 'create', 'flagdir', '-q', '--data-dir', dir.path], { XDG_DATA_HOME: join(f.home, 'nowhere') });
      expect(flag.code).toBe(0);
      const env = await f.run(['user', 'create', 'envdir', '-q'], { NEIGHBORBID_DATA_DIR: dir.path, XDG_DATA_HOME: join(f.home, 'nowhere') });
      expect(env.code).toBe(0);
    } finally {
      await dir.remove();
    }
  });

  it('says where it looked when there is none (exit 5), with no request made', async () => {
    const nowhere = join(f.home, 'nowhere');
    const r = await f.run(['user', 'create', 'x'], { XDG_DATA_HOME: nowhere });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(
      `neighborbid: UNAUTHORIZED: This needs the admin token: set NEIGHBORBID_ADMIN_TOKEN or run it on the daemon's machine (no token at ${nowhere}/neighborbid/admin-token; use --data-dir if the daemon keeps its data elsewhere).\n`,
    );
    const j = await f.json(['audit'], { XDG_DATA_HOME: nowhere });
    expect(j.code).toBe(5);
    expect(j.body.error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a user token where the admin is needed (exit 5)', async () => {
    const token = (await f.run(['user', 'create', 'plain', '-q'])).stdout.trim();
    const r = await f.run(['user', 'create', 'x'], { NEIGHBORBID_ADMIN_TOKEN: token });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe('neighborbid: FORBIDDEN: This needs the admin token.\n');
  });
});

describe('user deposit and user token', () => {
  it('deposits and prints the new balance, human and JSON', async () => {
    const u = await f.daemon.admin.createUser('saver', 1000);
    const r = await f.run(['user', 'deposit', String(u.id), '1,234,567']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `Deposited 1,234,567 to user ${u.id}.\nbalance    1,235,567\nheld               0\navailable  1,235,567\n`,
    );
    const j = await f.json(['user', 'deposit', String(u.id), '10_000']);
    expect(j.code).toBe(0);
    expect(j.body).toEqual({ id: u.id, balance: 1_245_567, held: 0, available: 1_245_567 });
  });

  it('answers NOT_FOUND (exit 4) for a missing user, and usage (exit 2) for a bad id or amount', async () => {
    const missing = await f.run(['user', 'deposit', '999999', '5']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('neighborbid: NOT_FOUND: No user 999999.\n');
    const j = await f.json(['user', 'deposit', '999999', '5']);
    expect(j.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No user 999999.', user: 999999 } });
    expect((await f.run(['user', 'deposit', 'abc', '5'])).code).toBe(2);
    const zero = await f.run(['user', 'deposit', '1', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("invalid amount '0': an amount is a whole number of at least 1");
  });

  it('rotates a token: the new one works, the old one is refused (exit 5)', async () => {
    const u = await f.daemon.admin.createUser('rotator');
    const r = await f.run(['user', 'token', String(u.id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^New token for user ${u.id} \\(rotator\\); the old one no longer works\\.\\ntoken  nb_u${u.id}_\\S+\\n$`));
    const j = await f.json(['user', 'token', String(u.id)]);
    expect(j.body).toMatchObject({ id: u.id, name: 'rotator' });
    expect(j.body.token).toMatch(TOKEN);
    const q = await f.run(['user', 'token', String(u.id), '--quiet']);
    const newest = q.stdout.trim();
    expect(newest).toMatch(TOKEN);

    expect((await f.run(['me', '--token', newest])).code).toBe(0);
    const old = await f.run(['me', '--token', j.body.token]);
    expect(old.code).toBe(5);
    expect(old.stderr).toBe('neighborbid: UNAUTHORIZED: The token is not valid.\n');
  });
});

describe('me', () => {
  it('shows name, id and money in aligned lines, and the API object with --json', async () => {
    const u = await f.daemon.admin.createUser('carol', 12_345);
    const r = await f.run(['me'], { NEIGHBORBID_TOKEN: u.token });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`user       carol (id ${u.id})\nbalance    12,345\nheld            0\navailable  12,345\n`);
    const j = await f.json(['me', '--token', u.token]);
    expect(j.body).toEqual({ id: u.id, name: 'carol', balance: 12_345, held: 0, available: 12_345 });
  });

  it('needs a token (exit 5) and says how to give one', async () => {
    const r = await f.run(['me']);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(
      "neighborbid: UNAUTHORIZED: This needs a user token: pass --token, set NEIGHBORBID_TOKEN or run 'neighborbid login --with-token < file'.\n",
    );
    expect(r.stdout).toBe('');
  });

  it('refuses the admin token (exit 5)', async () => {
    const r = await f.run(['me', '--token', f.daemon.adminToken]);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe('neighborbid: FORBIDDEN: This needs a user token, not the admin token.\n');
  });
});

describe('login', () => {
  /** A server that records the headers it gets and answers 404. */
  async function recorder(): Promise<{ server: Server; url: string; seen: IncomingHttpHeaders[] }> {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'nothing here' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  it('verifies the token, saves URL and token with mode 0600, and later commands use them', async () => {
    await inTempHome('nb-cli-login-', async (home) => {
      const env = { XDG_CONFIG_HOME: home.path };
      const u = await f.daemon.admin.createUser('dave', 500);
      const r = await f.run(['login', '--token', u.token, '--url', f.daemon.url], env);
      const file = join(home.path, 'neighborbid', 'config.json');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`Logged in to ${f.daemon.url} as dave (user ${u.id}); saved in ${file}.\n`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: f.daemon.url, token: u.token });

      // No URL or token given: both come from the config file.
      const me = await f.run(['me'], { ...env, NEIGHBORBID_URL: undefined });
      expect(me.code).toBe(0);
      expect(me.stdout).toContain(`dave (id ${u.id})`);

      // A flag still beats the file.
      const other = await f.daemon.admin.createUser('erin');
      const me2 = await f.json(['me', '--token', other.token], env);
      expect(me2.body.name).toBe('erin');

      // The saved token is never sent to another URL.
      const rec = await recorder();
      try {
        const elsewhere = await f.run(['me', '--url', rec.url], { ...env, NEIGHBORBID_URL: undefined });
        expect(elsewhere.code).toBe(5);
        expect(rec.seen).toHaveLength(0);
        const anon = await f.run(['auction', 'show', '1', '--url', rec.url], env);
        expect(anon.code).toBe(4);
        expect(rec.seen).toHaveLength(1);
        expect(rec.seen[0]!.authorization).toBeUndefined();
      } finally {
        rec.server.close();
      }
    });
  });

  it('prints the identity as JSON with --json', async () => {
    await inTempHome('nb-cli-login-', async (home) => {
      const u = await f.daemon.admin.createUser('frank');
      const r = await f.json(['login', '--token', u.token], { XDG_CONFIG_HOME: home.path });
      expect(r.code).toBe(0);
      expect(r.body).toEqual({
        url: f.daemon.url,
        id: u.id,
        name: 'frank',
        configFile: join(home.path, 'neighborbid', 'config.json'),
      });
    });
  });

  it('saves nothing for a wrong token (exit 5), the admin token or no token (exit 2)', async () => {
    await inTempHome('nb-cli-login-', async (home) => {
      const env = { XDG_CONFIG_HOME: home.path };
      const file = join(home.path, 'neighborbid', 'config.json');
      const wrong = await f.run(['login', '--token', 'nb_u1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], env);
      expect(wrong.code).toBe(5);
      expect(wrong.stderr).toBe('neighborbid: UNAUTHORIZED: The token is not valid.\n');
      const admin = await f.run(['login', '--token', f.daemon.adminToken], env);
      expect(admin.code).toBe(2);
      expect(admin.stderr).toMatch(/^neighborbid: INVALID_INPUT: That is the admin token; it is not saved\./);
      const none = await f.run(['login'], env);
      expect(none.code).toBe(2);
      expect(none.stderr).toBe(
        'neighborbid: INVALID_INPUT: Give the token to save: neighborbid login --with-token < file (or --token <token>) [--url <url>].\n',
      );
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });

  it('reads the token from stdin with --with-token, over NEIGHBORBID_TOKEN', async () => {
    await inTempHome('nb-cli-login-', async (home) => {
      const file = join(home.path, 'neighborbid', 'config.json');
      const u = await f.daemon.admin.createUser('gina');
      const other = await f.daemon.admin.createUser('hank');
      // As from `neighborbid login --with-token < token.txt`: the token with its newline, never in argv.
      const r = await f.run(['login', '--with-token'], { XDG_CONFIG_HOME: home.path, NEIGHBORBID_TOKEN: other.token }, `${u.token}\n`);
      expect(r).toEqual({ code: 0, stdout: `Logged in to ${f.daemon.url} as gina (user ${u.id}); saved in ${file}.\n`, stderr: '' });
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: f.daemon.url, token: u.token });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const me = await f.json(['me'], { XDG_CONFIG_HOME: home.path });
      expect(me.body.name).toBe('gina');
    });
  });

  it('refuses --with-token with nothing on stdin, or with --token too (exit 2), and a wrong token (exit 5); saves nothing', async () => {
    await inTempHome('nb-cli-login-', async (home) => {
      const env = { XDG_CONFIG_HOME: home.path };
      const u = await f.daemon.admin.createUser('ivy');
      const empty = await f.run(['login', '--with-token'], env, '\n  \n');
      expect(empty).toEqual({ code: 2, stdout: '', stderr: 'neighborbid: INVALID_INPUT: No token on stdin: neighborbid login --with-token < file.\n' });
      const both = await f.run(['login', '--with-token', '--token', u.token], env, `${u.token}\n`);
      expect(both.code).toBe(2);
      expect(both.stderr).toBe(
        "neighborbid: INVALID_INPUT: give the token either on stdin (--with-token) or with --token, not both (see 'neighborbid login --help').\n",
      );
      const wrong = await f.run(['login', '--with-token'], env, 'nb_u1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n');
      expect(wrong).toEqual({ code: 5, stdout: '', stderr: 'neighborbid: UNAUTHORIZED: The token is not valid.\n' });
      await expect(stat(join(home.path, 'neighborbid', 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });

  it('reports a broken config file as a usage error', async () => {
    await inTempHome('nb-cli-login-', async (home) => {
      await mkdir(join(home.path, 'neighborbid'));
      const file = join(home.path, 'neighborbid', 'config.json');
      await writeFile(file, '{not json');
      const r = await f.run(['me'], { XDG_CONFIG_HOME: home.path });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`neighborbid: INVALID_INPUT: ${file} is not valid JSON; fix it or run 'neighborbid login' again.\n`);
    });
  });
});

describe('logout', () => {
  it("removes the saved token for the daemon's URL and keeps the URL; again, there is nothing to remove", async () => {
    await inTempHome('nb-cli-logout-', async (home) => {
      const env = { XDG_CONFIG_HOME: home.path, NEIGHBORBID_URL: undefined };
      const file = join(home.path, 'neighborbid', 'config.json');
      const u = await f.daemon.admin.createUser('jay');
      expect((await f.run(['login', '--with-token', '--url', f.daemon.url], env, u.token)).code).toBe(0);

      // Another daemon's URL: the saved token is not for it.
      const rec = await deadUrl();
      const elsewhere = await f.json(['logout', '--url', rec], env);
      expect(elsewhere.body).toEqual({ url: rec, loggedOut: false, configFile: file });
      expect(elsewhere.stderr).toBe('');
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: f.daemon.url, token: u.token });

      const out = await f.run(['logout'], env);
      expect(out).toEqual({ code: 0, stdout: `Logged out of ${f.daemon.url}; its token is removed from ${file}.\n`, stderr: '' });
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: f.daemon.url });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const me = await f.run(['me'], env);
      expect(me.code).toBe(5);

      const again = await f.run(['logout'], env);
      expect(again).toEqual({ code: 0, stdout: `No token is saved for ${f.daemon.url}; nothing to remove.\n`, stderr: '' });
      // A token in the environment is beyond logout's reach: it says so.
      const withEnv = await f.json(['logout'], { ...env, NEIGHBORBID_TOKEN: u.token });
      expect(withEnv.body).toEqual({ url: f.daemon.url, loggedOut: false, configFile: file });
      expect(withEnv.stderr).toBe('neighborbid: NEIGHBORBID_TOKEN is set in your environment; commands still use that token.\n');
    });
  });
});

describe('status', () => {
  /** A stand-in daemon answering health with this version, and whoami. */
  async function fakeDaemon(version: string): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/v1/health') res.end(JSON.stringify({ ok: true, version, database: 'up', daemonId: 'fake' }));
      else res.end(JSON.stringify({ kind: 'user', id: 1, name: 'kim' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it("prints the daemon's URL, version and health, the client's version and who you are; --json and whoami too", async () => {
    await inTempHome('nb-cli-status-', async (home) => {
      const env = { XDG_CONFIG_HOME: home.path };
      const file = join(home.path, 'neighborbid', 'config.json');
      const u = await f.daemon.admin.createUser('lena');
      await f.run(['login', '--with-token'], env, u.token);
      const r = await f.json(['status'], env);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.body).toEqual({
        url: f.daemon.url,
        client: { version: VERSION },
        daemon: { reachable: true, ok: true, version: VERSION, database: 'up', daemonId: expect.any(String) },
        user: { kind: 'user', id: u.id, name: 'lena' },
        token: 'config',
        configFile: file,
        warnings: [],
      });
      const human = await f.run(['whoami'], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toBe(
        [
          `daemon  ${f.daemon.url}`,
          `health  ok, version ${VERSION}, database up`,
          `client  version ${VERSION}`,
          `you     lena (id ${u.id}), token saved by login`,
          `config  ${file}`,
          '',
        ].join('\n'),
      );
      // Where the token came from.
      expect((await f.json(['status'], { ...env, NEIGHBORBID_TOKEN: u.token })).body.token).toBe('environment');
      expect((await f.json(['status', '--token', u.token], env)).body.token).toBe('flag');
    });
  });

  it('says when you are not logged in (exit 0), and when the token is refused (exit 5)', async () => {
    const none = await f.json(['status']);
    expect(none.code).toBe(0);
    expect(none.body).toMatchObject({ user: null, token: null, daemon: { reachable: true, ok: true } });
    expect((await f.run(['status'])).stdout).toMatch(/^you {5}not logged in \(run 'neighborbid login --with-token < file'\)$/m);

    const wrong = await f.json(['status', '--token', 'nb_u1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(wrong.code).toBe(5);
    expect(wrong.body).toMatchObject({ user: null, token: 'flag', tokenError: { code: 'UNAUTHORIZED' }, daemon: { reachable: true } });
    expect(wrong.stderr).toBe('neighborbid: UNAUTHORIZED: The token is not valid.\n');
  });

  it('reports a daemon that cannot be reached (exit 6), still as one JSON document', async () => {
    const url = await deadUrl();
    const r = await f.json(['status', '--url', url]);
    expect(r.code).toBe(6);
    expect(r.body).toMatchObject({ url, client: { version: VERSION }, daemon: { reachable: false, error: { code: 'UNREACHABLE' } }, user: null });
    expect(r.stderr).toMatch(/^neighborbid: UNREACHABLE: Cannot reach the daemon at .*\n$/);
    const human = await f.run(['status', '--url', url]);
    expect(human.stdout).toMatch(/^health  unreachable \(UNREACHABLE\)$/m);
  });

  it('warns when the daemon is of another major version, and not for another minor one', async () => {
    const [major] = VERSION.split('.');
    const newer = await fakeDaemon(`${Number(major) + 1}.0.0`);
    const minor = await fakeDaemon(`${major}.99.0`);
    try {
      const r = await f.json(['status', '--url', newer.url, '--token', 'nb_u1_x']);
      expect(r.code).toBe(0);
      const warning = `this client is ${VERSION} and the daemon ${Number(major) + 1}.0.0: their major versions differ, so some commands may not work; use a client of the daemon's major version`;
      expect(r.body.warnings).toEqual([warning]);
      expect(r.stderr).toBe(`neighborbid: warning: ${warning}\n`);
      const same = await f.json(['status', '--url', minor.url, '--token', 'nb_u1_x']);
      expect(same).toMatchObject({ code: 0, stderr: '', body: { warnings: [], daemon: { version: `${major}.99.0` }, user: { name: 'kim' } } });
    } finally {
      newer.server.close();
      minor.server.close();
    }
  });
});
