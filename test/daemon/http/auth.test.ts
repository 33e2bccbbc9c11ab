// Bearer tokens at the HTTP edge: 401 for a missing or wrong token on every
// protected route, 403 for a valid token that may not do this, and nothing
// changes on a refused request.
import { beforeAll, describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { send } from '../../helpers/raw-http.js';
import { expectRefused, seedAuction, seedUser, snapshot, type SeededUser } from '../../helpers/seed.js';

const t = useRulesDaemon();
let alice: SeededUser;
let auctionId: number;

beforeAll(async () => {
  alice = await seedUser(t.daemon, 1000);
  auctionId = (await seedAuction(t.seller, { buyNowPrice: 500 })).id;
});

type Who = 'admin' | 'user' | 'either';
const routes = (): { method: string; path: string; body?: unknown; who: Who }[] => [
  { method: 'POST', path: '/v1/users', body: { name: 'mallory', balance: 5 }, who: 'admin' },
  { method: 'POST', path: `/v1/users/${alice.id}/deposits`, body: { amount: 5 }, who: 'admin' },
  { method: 'POST', path: `/v1/users/${alice.id}/token`, body: {}, who: 'admin' },
  { method: 'GET', path: '/v1/audit', who: 'admin' },
  { method: 'GET', path: '/v1/me', who: 'user' },
  { method: 'POST', path: '/v1/auctions', body: { title: 't', startPrice: 1, minIncrement: 1, durationSec: 60 }, who: 'user' },
  { method: 'POST', path: `/v1/auctions/${auctionId}/bids`, body: { amount: 100 }, who: 'user' },
  { method: 'POST', path: `/v1/auctions/${auctionId}/buy`, body: {}, who: 'user' },
  { method: 'POST', path: `/v1/auctions/${auctionId}/cancel`, body: {}, who: 'either' },
  { method: 'GET', path: '/v1/whoami', who: 'either' },
];

/** Everything a refused request must leave alone. */
async function state() {
  return { totals: await snapshot(t.daemon.context.sql), alice: await alice.client.me(), auction: await t.daemon.admin.auction(auctionId) };
}

describe('authentication', () => {
  it('answers 401 UNAUTHORIZED to a missing or wrong token on every protected route', async () => {
    const before = await state();
    const secret = alice.token.split('_').pop()!;
    const wrong: [string, Record<string, string | null>][] = [
      ['no header', {}],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['another scheme', { authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` }],
      ['garbage', { authorization: 'Bearer not-a-token' }],
      ['admin token with a typo', { authorization: `Bearer ${t.daemon.adminToken}x` }],
      ['right user, wrong secret', { authorization: `Bearer nb_u${alice.id}_${'A'.repeat(43)}` }],
      ["another user's secret", { authorization: `Bearer nb_u${t.seller.id}_${secret}` }],
      ['no such user', { authorization: `Bearer nb_u987654_${secret}` }],
    ];
    for (const route of routes()) {
      for (const [what, headers] of wrong) {
        const r = await send(t.daemon.url, { method: route.method, path: route.path, body: route.body, headers });
        expect(r.status, `${route.method} ${route.path}: ${what}`).toBe(401);
        expect(r.json.error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
      }
    }
    expect(await state()).toEqual(before);
  });

  it('answers 403 FORBIDDEN to a user on an admin route and to the admin on a user route', async () => {
    const before = await state();
    for (const route of routes().filter((r) => r.who !== 'either')) {
      const token = route.who === 'admin' ? alice.token : t.daemon.adminToken;
      const r = await send(t.daemon.url, { method: route.method, path: route.path, body: route.body, token });
      expect(r.status, `${route.method} ${route.path}`).toBe(403);
      expect(r.json.error).toMatchObject({ code: 'FORBIDDEN', message: expect.any(String) });
    }
    expect(await state()).toEqual(before);
  });

  it('accepts the scheme name in any case and says who a token belongs to', async () => {
    const r = await send(t.daemon.url, { path: '/v1/whoami', headers: { authorization: `bearer ${alice.token}` } });
    expect(r.json).toEqual({ kind: 'user', id: alice.id, name: alice.name });
    expect(await t.daemon.admin.whoami()).toEqual({ kind: 'admin' });
  });

  it("needs no token to read auctions, users' names, health and metrics", async () => {
    for (const path of ['/v1/health', '/v1/auctions', `/v1/auctions/${auctionId}`, `/v1/users/${alice.id}`, `/v1/users?ids=${alice.id}`, '/metrics']) {
      expect((await send(t.daemon.url, { path })).status, path).toBe(200);
    }
  });

  it('stops accepting a user token once the admin replaces it', async () => {
    const bob = await seedUser(t.daemon, 10);
    expect((await bob.client.me()).id).toBe(bob.id); // cached by the daemon now
    const rotated = await t.daemon.admin.rotateToken(bob.id);
    expect(rotated).toMatchObject({ id: bob.id, name: bob.name, token: expect.stringMatching(new RegExp(`^nb_u${bob.id}_`)) });
    await expectRefused(bob.client.me(), 'UNAUTHORIZED');
    expect(await t.daemon.client(rotated.token).me()).toMatchObject({ id: bob.id, balance: 10 });
    await expectRefused(t.daemon.admin.rotateToken(987_654), 'NOT_FOUND');
  });
});
