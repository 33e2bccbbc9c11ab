// Tokens without a daemon: the admin token file, bearer parsing, token shapes.
import { stat } from 'node:fs/promises';
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
