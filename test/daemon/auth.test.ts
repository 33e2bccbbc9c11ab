// Tokens without a daemon: the admin token file, bearer parsing, token shapes.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, hashToken, loadAdminToken, newAdminToken, newUserToken } from '../../src/daemon/auth.js';
import { tempDir } from '../helpers/daemon.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('admin token', () => {
  it('is created once with mode 0600 and read back on the next start', async () => {
    const file = join(dir.path, 'nested', 'admin-token');
    const first = await loadAdminToken(file, undefined);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^nb_admin_[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadAdminToken(file, undefined)).toEqual({ token: first.token, created: false });
  });

  it('comes from NEIGHBORBID_ADMIN_TOKEN when set, without touching the file', async () => {
    const file = join(dir.path, 'unused-admin-token');
    expect(await loadAdminToken(file, ' from-env \n')).toEqual({ token: 'from-env', created: false });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n\t\n'],
  ])('is written afresh into an %s file, saying so', async (name, content) => {
    const file = join(dir.path, `${name}-admin-token`);
    await writeFile(file, content, { mode: 0o644 });
    const loaded = await loadAdminToken(file, undefined);
    expect(loaded).toEqual({ token: expect.stringMatching(/^nb_admin_[A-Za-z0-9_-]{43}$/), created: true, wasEmpty: true });
    expect((await readFile(file, 'utf8')).trim()).toBe(loaded.token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadAdminToken(file, undefined)).toEqual({ token: loaded.token, created: false });
  });

  it.each([
    ['a NUL byte', 'nb_admin_\0abc\n', /NUL/],
    ['a space inside', 'nb_admin one\n', /space/],
    ['a control character', '\x01nb_admin_abc', /0x01/],
    ['a letter outside ASCII', 'nb_admin_\u00e9t\u00e9', /U\+00E9/],
  ])('refuses a file holding %s, in one line naming the file', async (name, content, what) => {
    const file = join(dir.path, `garbage-${name.replace(/\W/g, '-')}`);
    await writeFile(file, content, { mode: 0o600 });
    const err = (await loadAdminToken(file, undefined).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(what);
    expect(err.message).not.toContain('\n');
    expect(await readFile(file, 'utf8')).toBe(content); // left as it was, for its owner to look at
  });

  it('refuses a NEIGHBORBID_ADMIN_TOKEN that is only white space, or holds what a token cannot', async () => {
    const file = join(dir.path, 'env-admin-token');
    await expect(loadAdminToken(file, ' \n')).rejects.toThrow(/NEIGHBORBID_ADMIN_TOKEN/);
    await expect(loadAdminToken(file, 'a b')).rejects.toThrow(/NEIGHBORBID_ADMIN_TOKEN.*space/);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('tokens', () => {
  it('reads a bearer token and nothing else', () => {
    expect(bearer('Bearer abc')).toBe('abc');
    expect(bearer('bearer  abc ')).toBe('abc');
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer('Bearer')).toBeUndefined();
    expect(bearer('Bearer a b')).toBeUndefined();
    expect(bearer(undefined)).toBeUndefined();
  });

  it('makes distinct random tokens that carry the user id', () => {
    const a = newUserToken(42);
    expect(a).toMatch(/^nb_u42_[A-Za-z0-9_-]{43}$/);
    expect(newUserToken(42)).not.toBe(a);
    expect(newAdminToken()).not.toBe(newAdminToken());
    expect(hashToken(a)).toHaveLength(32);
  });
});
