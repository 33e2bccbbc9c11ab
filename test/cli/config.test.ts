import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFile, DEFAULT_URL, readAdminToken, readConfig, resolveIdentity, sameUrl, writeConfig } from '../../src/cli/config.js';
import { NbError } from '../../src/protocol/errors.js';
import { tempDir } from '../helpers/daemon.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir('nb-cli-config-');
});
afterEach(async () => {
  await dir.remove();
});

describe('configFile', () => {
  it('follows XDG_CONFIG_HOME when it is absolute, else ~/.config', () => {
    expect(configFile({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/neighborbid/config.json');
    expect(configFile({ XDG_CONFIG_HOME: 'relative' })).toBe(join(homedir(), '.config/neighborbid/config.json'));
    expect(configFile({})).toBe(join(homedir(), '.config/neighborbid/config.json'));
  });
});

describe('readConfig and writeConfig', () => {
  it('writes with mode 0600 (also over a looser file) and reads it back', async () => {
    const file = join(dir.path, 'a', 'config.json');
    await mkdir(join(dir.path, 'a'));
    await writeFile(file, '{}', { mode: 0o644 });
    writeConfig(file, { url: 'http://127.0.0.1:7700', token: 'nb_u1_x' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(readConfig(file)).toEqual({ url: 'http://127.0.0.1:7700', token: 'nb_u1_x' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: 'http://127.0.0.1:7700', token: 'nb_u1_x' });
  });

  it('makes its directory owner-only', async () => {
    const file = join(dir.path, 'fresh', 'neighborbid', 'config.json');
    writeConfig(file, {});
    expect((await stat(join(dir.path, 'fresh', 'neighborbid'))).mode & 0o777).toBe(0o700);
  });

  it('treats a missing file as empty, ignores fields of the wrong type, and refuses broken JSON', async () => {
    expect(readConfig(join(dir.path, 'none.json'))).toEqual({});
    const odd = join(dir.path, 'odd.json');
    await writeFile(odd, '{"url": 5, "token": "t", "extra": true}');
    expect(readConfig(odd)).toEqual({ url: undefined, token: 't' });
    const broken = join(dir.path, 'broken.json');
    await writeFile(broken, '{');
    expect(() => readConfig(broken)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('resolveIdentity', () => {
  const saved = { url: 'http://127.0.0.1:7700', token: 'nb_saved' };

  it('prefers flags (and env, which commander folds into them), then the file, then the default', () => {
    expect(resolveIdentity({}, {})).toEqual({ url: DEFAULT_URL, token: undefined });
    expect(resolveIdentity({}, saved)).toEqual(saved);
    expect(resolveIdentity({ token: 'nb_flag' }, saved)).toEqual({ url: saved.url, token: 'nb_flag' });
    expect(resolveIdentity({ url: 'http://127.0.0.1:7700/' }, saved)).toEqual({ url: 'http://127.0.0.1:7700/', token: 'nb_saved' });
  });

  it('never sends the saved token to another URL', () => {
    expect(resolveIdentity({ url: 'http://evil.example' }, saved)).toEqual({ url: 'http://evil.example', token: undefined });
    expect(resolveIdentity({}, { token: 'nb_saved' })).toEqual({ url: DEFAULT_URL, token: undefined });
  });

  it('compares URLs after normalising them', () => {
    expect(sameUrl('http://LOCALHOST:80', 'http://localhost/')).toBe(true);
    expect(sameUrl('http://a:1', 'http://a:2')).toBe(false);
    expect(sameUrl('not a url', 'not a url')).toBe(false);
  });
});

describe('readAdminToken', () => {
  it('prefers NEIGHBORBID_ADMIN_TOKEN, then the data directory, then the default one', async () => {
    await writeFile(join(dir.path, 'admin-token'), 'nb_admin_file\n');
    expect(readAdminToken(dir.path, { NEIGHBORBID_ADMIN_TOKEN: ' nb_admin_env ' })).toBe('nb_admin_env');
    expect(readAdminToken(dir.path, {})).toBe('nb_admin_file');
    await mkdir(join(dir.path, 'xdg', 'neighborbid'), { recursive: true });
    await writeFile(join(dir.path, 'xdg', 'neighborbid', 'admin-token'), 'nb_admin_xdg');
    expect(readAdminToken(undefined, { XDG_DATA_HOME: join(dir.path, 'xdg') })).toBe('nb_admin_xdg');
  });

  it('is UNAUTHORIZED, naming the file, when there is none or it is empty', async () => {
    const missing = () => readAdminToken(join(dir.path, 'nothing'), {});
    expect(missing).toThrow(NbError);
    expect(missing).toThrow(`no token at ${join(dir.path, 'nothing', 'admin-token')}`);
    expect(missing).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    await writeFile(join(dir.path, 'admin-token'), '\n');
    expect(() => readAdminToken(dir.path, {})).toThrow('is empty');
  });
});
