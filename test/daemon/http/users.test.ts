// Reading users' names: GET /v1/users/:id and GET /v1/users?ids=… answer
// anyone, with the id and name only (never money), and refuse malformed ids.
import { beforeAll, describe, expect, it } from 'vitest';
import { useDaemon } from '../../helpers/fixture.js';
import { send } from '../../helpers/raw-http.js';
import { expectRefused, seedUser, type SeededUser } from '../../helpers/seed.js';

const t = useDaemon();
let ada: SeededUser;
let bo: SeededUser;

beforeAll(async () => {
  ada = await seedUser(t.daemon, 5000, 'ada');
  bo = await seedUser(t.daemon, 0, 'Bo Ström');
});

/** Sends a GET and checks it is refused with this status and code, in the error shape. */
async function expectError(path: string, status: number, code: string): Promise<Record<string, unknown>> {
  const r = await send(t.daemon.url, { path });
  expect(r.status, `${path}: ${r.text}`).toBe(status);
  expect(Object.keys(r.json ?? {}), path).toEqual(['error']);
  expect(r.json.error.code, path).toBe(code);
  expect(r.json.error.message, path).toMatch(/\w/);
  return r.json.error;
}

describe('GET /v1/users/:id', () => {
  it('answers anyone, without a token, with the id and name only', async () => {
    const r = await send(t.daemon.url, { path: `/v1/users/${ada.id}` });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: ada.id, name: 'ada' });
    // The same for a user's own token and the admin's: never the balance.
    for (const token of [bo.token, t.daemon.adminToken]) {
      expect((await send(t.daemon.url, { path: `/v1/users/${ada.id}`, token })).json).toEqual({ id: ada.id, name: 'ada' });
    }
    expect(await t.daemon.client().user(bo.id)).toEqual({ id: bo.id, name: 'Bo Ström' });
  });

  it('answers NOT_FOUND for an id without a user, and INVALID_INPUT for one that is not an id', async () => {
    expect(await expectError('/v1/users/987654', 404, 'NOT_FOUND')).toMatchObject({ user: 987654, message: 'No user 987654.' });
    await expectRefused(t.daemon.client().user(987_654), 'NOT_FOUND', { user: 987_654 });
    for (const id of ['0', '-1', '01', '1.5', '1e3', 'ada', '%20' + ada.id, '9007199254740993', '99999999999999999']) {
      await expectError(`/v1/users/${id}`, 400, 'INVALID_INPUT');
    }
  });
});

describe('GET /v1/users?ids=', () => {
  it('answers anyone with the users that exist, each once, in the order asked', async () => {
    const r = await send(t.daemon.url, { path: `/v1/users?ids=${bo.id},987654,${ada.id},${bo.id}` });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ users: [{ id: bo.id, name: 'Bo Ström' }, { id: ada.id, name: 'ada' }] });
    expect(await t.daemon.client().users([987_654])).toEqual({ users: [] });
    expect(await t.daemon.client().users([ada.id])).toEqual({ users: [{ id: ada.id, name: 'ada' }] });
  });

  it('takes up to 200 ids, and refuses more', async () => {
    const many = [ada.id, ...Array.from({ length: 199 }, (_, i) => 900_000 + i)];
    expect(await t.daemon.client().users(many)).toEqual({ users: [{ id: ada.id, name: 'ada' }] });
    const error = await expectError(`/v1/users?ids=${[...many, bo.id].join(',')}`, 400, 'INVALID_INPUT');
    expect(error.message).toContain('at most 200');
  });

  it('refuses a list that is not exactly ids separated by commas', async () => {
    const bad = [
      '', '?ids=', '?ids=,', `?ids=${ada.id},`, `?ids=,${ada.id}`, `?ids=${ada.id},,${bo.id}`, `?ids=${ada.id}%20,${bo.id}`,
      `?ids=${ada.id};${bo.id}`, '?ids=0', '?ids=-1', '?ids=01', '?ids=1.5', '?ids=x', '?ids=9007199254740993',
      `?ids=${ada.id}&ids=${bo.id}`, `?ids[]=${ada.id}`, `?ids=${ada.id}&limit=5`, `?id=${ada.id}`,
    ];
    for (const q of bad) await expectError(`/v1/users${q}`, 400, 'INVALID_INPUT');
  });
});
