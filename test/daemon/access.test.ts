// One user against another: Mallory, holding only her own token, cannot act
// as Alice, read Alice's private events, move money or make users; no token
// is stored anywhere in the database in the clear; and a token is checked by
// comparing fixed-length digests, whatever was presented.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/daemon/auth.js';
import type { ServerFrame } from '../../src/protocol/frames.js';
import { useRulesDaemon } from '../helpers/fixture.js';
import { send } from '../helpers/raw-http.js';
import { seedAuction, seedUser, snapshot, type SeededUser } from '../helpers/seed.js';
import { report } from '../helpers/tally.js';
import { framesOf, openWatcher, refusedUpgrade } from '../helpers/watcher.js';

const t = useRulesDaemon();
let alice: SeededUser;
let mallory: SeededUser;

beforeAll(async () => {
  alice = await seedUser(t.daemon, 1000);
  mallory = await seedUser(t.daemon, 1000);
});

/** The random part of a user token (it may itself hold "_"). */
const secretOf = (token: string) => token.replace(/^nb_u\d+_/, '');
/** Alice's id with Mallory's secret: the one token Mallory could make up for Alice. */
const forged = () => `nb_u${alice.id}_${secretOf(mallory.token)}`;

describe("Mallory against Alice's account", () => {
  it('cannot act as Alice, move money or make users, and what she does is hers', async () => {
    const lot = await seedAuction(alice, { buyNowPrice: 900 });
    const other = await seedAuction(t.seller);
    const before = { totals: await snapshot(t.daemon.context.sql), alice: await alice.client.me() };
    const tries: { what: string; method?: string; path: string; token: string; body?: unknown; headers?: Record<string, string>; status: number; code: string }[] = [
      { what: 'a forged token, bidding', path: `/v1/auctions/${other.id}/bids`, token: forged(), body: { amount: 100 }, status: 401, code: 'UNAUTHORIZED' },
      { what: "a forged token, reading Alice's balance", method: 'GET', path: '/v1/me', token: forged(), status: 401, code: 'UNAUTHORIZED' },
      { what: 'bidding with a bidderId', path: `/v1/auctions/${other.id}/bids`, token: mallory.token, body: { amount: 100, bidderId: alice.id }, status: 400, code: 'INVALID_INPUT' },
      { what: 'a deposit to herself', path: `/v1/users/${mallory.id}/deposits`, token: mallory.token, body: { amount: 1_000_000 }, status: 403, code: 'FORBIDDEN' },
      { what: 'a deposit to Alice', path: `/v1/users/${alice.id}/deposits`, token: mallory.token, body: { amount: 1 }, status: 403, code: 'FORBIDDEN' },
      { what: 'making a user', path: '/v1/users', token: mallory.token, body: { name: 'sock puppet', balance: 1_000_000 }, status: 403, code: 'FORBIDDEN' },
      { what: "replacing Alice's token", path: `/v1/users/${alice.id}/token`, token: mallory.token, body: {}, status: 403, code: 'FORBIDDEN' },
      { what: "cancelling Alice's auction", path: `/v1/auctions/${lot.id}/cancel`, token: mallory.token, body: {}, status: 403, code: 'FORBIDDEN' },
      { what: 'reading the audit', method: 'GET', path: '/v1/audit', token: mallory.token, status: 403, code: 'FORBIDDEN' },
    ];
    for (const x of tries) {
      const r = await send(t.daemon.url, { method: x.method ?? 'POST', path: x.path, token: x.token, body: x.body, headers: x.headers });
      expect([r.status, r.json?.error?.code], x.what).toEqual([x.status, x.code]);
    }
    expect(await snapshot(t.daemon.context.sql)).toEqual(before.totals);
    expect(await alice.client.me()).toEqual(before.alice);

    // Whatever else she sends along, a bid she places is hers and holds her money.
    const r = await send(t.daemon.url, {
      path: `/v1/auctions/${other.id}/bids?bidderId=${alice.id}&user=${alice.id}`,
      token: mallory.token,
      body: { amount: 100 },
      headers: { 'x-user-id': String(alice.id), 'x-forwarded-user': alice.name },
    });
    expect(r.status).toBe(201);
    expect(r.json.bid.bidderId).toBe(mallory.id);
    const [row] = await t.daemon.context.sql<{ bidder_id: number }[]>`SELECT bidder_id FROM bids WHERE id = ${r.json.bid.id}`;
    expect(row!.bidder_id).toBe(mallory.id);
    expect(await alice.client.me()).toEqual(before.alice);
    expect(await mallory.client.me()).toMatchObject({ balance: 1000, held: 100 });
    report({
      fault: "one user's token against another's account (forged token, bidderId, deposits, user creation, token rotation, cancel, audit)",
      operations: tries.length + 1,
      checked: `${tries.length} refused 401/400/403 with nothing changed; her own bid recorded as hers whatever headers and query she added`,
      lost: 0,
    });
  });

  it("cannot hear Alice's private events, even watching and bidding on the same auction", async () => {
    const bob = await seedUser(t.daemon, 1000);
    const lot = await seedAuction(t.seller);
    const wsUrl = `${t.daemon.url.replace('http', 'ws')}/v1/ws`;
    expect((await refusedUpgrade(wsUrl, { authorization: `Bearer ${forged()}` })).status).toBe(401);
    expect((await refusedUpgrade(`${wsUrl}?token=${encodeURIComponent(forged())}`)).status).toBe(401);

    const aliceSocket = await openWatcher(t.daemon.url, { token: alice.token });
    const mallorySocket = await openWatcher(t.daemon.url, { token: mallory.token });
    expect(mallorySocket.frames[0]).toMatchObject({ type: 'welcome', userId: mallory.id });
    // Frames that name someone else are refused, not obeyed.
    for (const frame of [
      { op: 'subscribe', auctions: [lot.id], userId: alice.id },
      { op: 'subscribe', auctions: [lot.id], token: alice.token },
      { op: 'private', userId: alice.id },
    ]) mallorySocket.send(frame);
    await mallorySocket.until((f) => f.filter((x) => x.type === 'error').length === 3, 10_000, 'three refusals');
    expect(mallorySocket.frames.filter((f) => f.type === 'error').map((f) => f.type === 'error' && f.code)).toEqual(Array(3).fill('INVALID_INPUT'));
    mallorySocket.send({ op: 'subscribe', auctions: [lot.id] });
    await mallorySocket.until((f) => framesOf(f, lot.id).length === 1, 10_000, 'snapshot');

    await alice.client.bid(lot.id, 100);
    await mallory.client.bid(lot.id, 200); // Alice is outbid by Mallory
    await bob.client.bid(lot.id, 300); // Mallory is outbid by Bob
    await t.daemon.admin.deposit(alice.id, 7);
    const isPrivate = (f: ServerFrame) => f.type === 'outbid' || f.type === 'balance';
    await aliceSocket.until((f) => f.filter((x) => x.type === 'balance').length === 3, 10_000, "Alice's balances");
    await mallorySocket.until((f) => f.some((x) => x.type === 'outbid'), 10_000, "Mallory's outbid");
    await mallorySocket.until((f) => framesOf(f, lot.id).length === 4, 10_000, 'the three public bids');
    // A sentinel committed after all of the above: Mallory's own deposit. Anything
    // stray for her would have come before it.
    const { balance: malloryBalance } = await t.daemon.admin.deposit(mallory.id, 1);
    await mallorySocket.until((f) => f.some((x) => x.type === 'balance' && x.balance === malloryBalance), 10_000, "Mallory's sentinel deposit");

    const mine = mallorySocket.frames.filter(isPrivate);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    for (const f of mine) {
      if (f.type === 'balance') expect(f.userId).toBe(mallory.id);
      if (f.type === 'outbid') expect(f).toMatchObject({ leaderId: bob.id, released: 200 });
    }
    expect(aliceSocket.frames.filter((f) => f.type === 'outbid')).toEqual([expect.objectContaining({ leaderId: mallory.id, released: 100 })]);
    await Promise.all([aliceSocket.close(), mallorySocket.close()]);
  });
});

describe('tokens at rest', () => {
  it('are stored only as their SHA-256 digests: no secret appears in any column of any table', async () => {
    const sql = t.daemon.context.sql;
    const made = await send(t.daemon.url, { path: '/v1/users', token: t.daemon.adminToken, body: { name: 'keyed' }, headers: { 'idempotency-key': 'keyed-user' } });
    const replay = await send(t.daemon.url, { path: '/v1/users', token: t.daemon.adminToken, body: { name: 'keyed' }, headers: { 'idempotency-key': 'keyed-user' } });
    expect(replay.json.token).toBeNull();
    const rotated = await t.daemon.admin.rotateToken(alice.id);
    const tokens: { id: number; token: string }[] = [
      { id: made.json.id, token: made.json.token },
      { id: alice.id, token: rotated.token },
      { id: mallory.id, token: mallory.token },
    ];
    for (const { id, token } of tokens) {
      const [row] = await sql<{ token_hash: Buffer }[]>`SELECT token_hash FROM users WHERE id = ${id}`;
      expect(row!.token_hash).toEqual(createHash('sha256').update(token).digest());
    }

    // Every column of every table, as text: no token's secret, nor the admin token, anywhere.
    const columns = await sql<{ table_name: string; column_name: string }[]>`
      SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, column_name`;
    expect(columns.length).toBeGreaterThan(10);
    const secrets = tokens.map((x) => secretOf(x.token));
    expect(secrets.every((n) => n.length === 43)).toBe(true);
    const needles = [...secrets, alice.token, t.daemon.adminToken];
    for (const { table_name, column_name } of columns) {
      // The patterns travel as JSON (the driver is not told array types).
      const [hit] = await sql.unsafe<{ n: number }[]>(
        `SELECT count(*)::bigint AS n FROM "${table_name}"
          WHERE "${column_name}"::text LIKE ANY (SELECT jsonb_array_elements_text($1::jsonb))`,
        [sql.json(needles.map((n) => `%${n.replace(/[\\%_]/g, '\\$&')}%`)) as never],
      );
      expect(hit!.n, `${table_name}.${column_name}`).toBe(0);
    }
  });

  it('are checked by comparing fixed-length digests: a near miss of any length is refused without a throw', async () => {
    const auth = new Authenticator(t.daemon.context.sql, 'nb_admin_the-real-one', 0);
    const user = await seedUser(t.daemon, 0);
    const s = secretOf(user.token);
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    expect(await auth.authenticate(user.token)).toEqual({ kind: 'user', id: user.id, name: user.name });
    const nearMisses = [
      `nb_u${user.id}_${flip(s[0]!)}${s.slice(1)}`, // first character
      `nb_u${user.id}_${s.slice(0, -1)}${flip(s.at(-1)!)}`, // last character
      `nb_u${user.id}_${s.slice(0, -1)}`, // one shorter
      `${user.token}A`, // one longer
      `nb_u${user.id}_${'A'.repeat(43)}`,
      'nb_admin_the-real-on', // the admin token, one shorter
      'nb_admin_the-real-one!', // one longer
      'x',
      'nb_admin_'.padEnd(10_000, 'y'),
    ];
    for (const token of nearMisses) {
      await expect(auth.authenticate(token), token.slice(0, 40)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(await auth.authenticate('nb_admin_the-real-one')).toEqual({ kind: 'admin' });
  });
});
