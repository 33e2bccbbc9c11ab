// Hostile and careless input at the HTTP edge: every request gets a 4xx with
// a stable code and a sentence (never a stack trace or a 500), nothing changes,
// and the daemon keeps serving.
import { beforeAll, describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../../helpers/fixture.js';
import { send, sendBytes, type RawRequest, type RawResponse } from '../../helpers/raw-http.js';
import { seedAuction, seedUser, snapshot, type SeededUser } from '../../helpers/seed.js';

const t = useRulesDaemon();
let alice: SeededUser;
let auctionId: number;

beforeAll(async () => {
  alice = await seedUser(t.daemon, 1000);
  auctionId = (await seedAuction(t.seller, { buyNowPrice: 5000 })).id;
  await alice.client.bid(auctionId, 100); // committed before the barrage
});

interface Case extends RawRequest {
  name: string;
  status: number;
  code: string;
}

/** Sends a case and checks the answer is exactly one clean error. */
async function expectError(c: Case): Promise<RawResponse> {
  const r = await send(t.daemon.url, c);
  expect(r.status, `${c.name}: ${r.text}`).toBe(c.status);
  expect(Object.keys(r.json ?? {}), c.name).toEqual(['error']);
  expect(r.json.error.code, c.name).toBe(c.code);
  expect(r.json.error.message, c.name).toMatch(/\w/);
  expect(r.text, c.name).not.toMatch(/\n\s+at |node_modules|Error:/);
  return r;
}

const bid = (name: string, body: unknown, extra: Partial<Case> = {}): Case => ({
  name, method: 'POST', path: `/v1/auctions/${auctionId}/bids`, token: alice.token, body, status: 400, code: 'INVALID_INPUT', ...extra,
});
const admin = (name: string, path: string, body: unknown, extra: Partial<Case> = {}): Case => ({
  name, method: 'POST', path, token: t.daemon.adminToken, body, status: 400, code: 'INVALID_INPUT', ...extra,
});
const lot = (name: string, fields: Record<string, unknown>, drop: string[] = []): Case => {
  const body: Record<string, unknown> = { title: 'lamp', startPrice: 100, minIncrement: 10, durationSec: 60, ...fields };
  for (const k of drop) delete body[k];
  return { name, method: 'POST', path: '/v1/auctions', token: alice.token, body, status: 400, code: 'INVALID_INPUT' };
};

function barrage(): Case[] {
  const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
  return [
    // Not JSON, or not an object.
    bid('malformed JSON', '{"amount":'),
    bid('trailing comma', '{"amount": 200,}'),
    bid('single quotes', "{'amount': 200}"),
    bid('empty JSON body', ''),
    bid('JSON null', 'null'),
    bid('JSON array', '[200]'),
    bid('JSON string', '"200"'),
    bid('prototype poisoning', '{"amount": 200, "__proto__": {"admin": true}}'),
    bid('constructor poisoning', '{"amount": 200, "constructor": {"prototype": {"admin": true}}}'),
    bid('deep nesting', `{"amount": ${'['.repeat(2000)}${']'.repeat(2000)}}`),
    // Missing, unknown and mistyped fields.
    bid('missing amount', {}),
    bid('unknown field', { amount: 200, note: 'hi' }),
    bid('bidding as someone else', { amount: 200, bidderId: t.seller.id }),
    bid('string amount', { amount: '200' }),
    bid('null amount', { amount: null }),
    bid('boolean amount', { amount: true }),
    bid('array amount', { amount: [200] }),
    bid('object amount', { amount: { value: 200 } }),
    // Numbers money cannot be.
    bid('fraction', { amount: 150.5 }),
    bid('tiny fraction', '{"amount": 200.0000001}'),
    bid('zero', { amount: 0 }),
    bid('negative zero', '{"amount": -0}'),
    bid('negative', { amount: -200 }),
    bid('2^53 + 1 in raw JSON', '{"amount": 9007199254740993}'),
    bid('2^53 in raw JSON', '{"amount": 9007199254740992}'),
    bid('1e400 in raw JSON', '{"amount": 1e400}'),
    bid('-1e400 in raw JSON', '{"amount": -1e400}'),
    bid('huge digits', `{"amount": ${'9'.repeat(400)}}`),
    bid('NaN', '{"amount": NaN}'),
    bid('Infinity', '{"amount": Infinity}'),
    bid('hex', '{"amount": 0x10}'),
    // Content types and sizes.
    bid('form encoded', 'amount=200', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    bid('text/plain JSON', '{"amount": 200}', { headers: { 'content-type': 'text/plain' } }),
    bid('no content type', '{"amount": 200}', { headers: { 'content-type': null } }),
    bid('xml', '<amount>200</amount>', { headers: { 'content-type': 'application/xml' } }),
    bid('body of 16 KiB + 1', `{"amount": 200${' '.repeat(16 * 1024 - 15 + 1)}}`, { status: 413, code: 'PAYLOAD_TOO_LARGE' }),
    bid('headers over 16 KiB', { amount: 200 }, { headers: { 'x-padding': 'p'.repeat(17 * 1024) }, status: 413, code: 'PAYLOAD_TOO_LARGE' }),
    bid('body of 1 MiB', `{"amount": 200, "pad": "${'x'.repeat(1024 * 1024)}"}`, { status: 413, code: 'PAYLOAD_TOO_LARGE' }),
    // Ids that are not ids, and ids of nothing.
    bid('auction id not a number', { amount: 200 }, { path: '/v1/auctions/abc/bids' }),
    bid('auction id zero', { amount: 200 }, { path: '/v1/auctions/0/bids' }),
    bid('auction id negative', { amount: 200 }, { path: '/v1/auctions/-1/bids' }),
    bid('auction id fraction', { amount: 200 }, { path: '/v1/auctions/1.5/bids' }),
    bid('auction id above 2^53', { amount: 200 }, { path: '/v1/auctions/9007199254740993/bids' }),
    bid('auction id of 20 digits', { amount: 200 }, { path: '/v1/auctions/99999999999999999999/bids' }),
    bid('auction id of 101 digits', { amount: 200 }, { path: `/v1/auctions/${'1'.repeat(101)}/bids` }),
    bid('broken percent-encoding', { amount: 200 }, { path: '/v1/auctions/%zz/bids' }),
    // Refused before its body is read: the unread bytes must not become a second, corrupting answer.
    bid('broken URL with a large body', `{"amount": 1${' '.repeat(20 * 1024)}}`, { method: 'OPTIONS', path: '/v1/auctions/%' }),
    bid('unknown auction', { amount: 200 }, { path: '/v1/auctions/987654/bids', status: 404, code: 'NOT_FOUND' }),
    { name: 'unknown auction, read', path: '/v1/auctions/987654', status: 404, code: 'NOT_FOUND' },
    { name: 'auction id not a number, read', path: '/v1/auctions/lamp', status: 400, code: 'INVALID_INPUT' },
    admin('unknown user deposit', '/v1/users/987654/deposits', { amount: 5 }, { status: 404, code: 'NOT_FOUND' }),
    admin('unknown user token', '/v1/users/987654/token', {}, { status: 404, code: 'NOT_FOUND' }),
    admin('user id not a number', '/v1/users/bob/deposits', { amount: 5 }),
    { name: 'unknown route', path: '/v1/nothing-here', status: 404, code: 'NOT_FOUND' },
    { name: 'unknown method', method: 'DELETE', path: `/v1/auctions/${auctionId}`, status: 404, code: 'NOT_FOUND' },
    { name: 'PUT a bid', method: 'PUT', path: `/v1/auctions/${auctionId}/bids`, token: alice.token, body: { amount: 200 }, status: 404, code: 'NOT_FOUND' },
    // Tokens.
    bid('missing token', { amount: 200 }, { token: undefined, status: 401, code: 'UNAUTHORIZED' }),
    bid('wrong token', { amount: 200 }, { token: 'nb_u1_nope', status: 401, code: 'UNAUTHORIZED' }),
    bid('admin token', { amount: 200 }, { token: t.daemon.adminToken, status: 403, code: 'FORBIDDEN' }),
    // Other bodies.
    { ...bid('buy with a body', { amount: 200 }), path: `/v1/auctions/${auctionId}/buy` },
    { ...bid('cancel with a body', { reason: 'x' }), path: `/v1/auctions/${auctionId}/cancel` },
    admin('deposit zero', `/v1/users/${alice.id}/deposits`, { amount: 0 }),
    admin('deposit negative', `/v1/users/${alice.id}/deposits`, { amount: -5 }),
    admin('deposit fraction', `/v1/users/${alice.id}/deposits`, { amount: 0.5 }),
    admin('deposit string', `/v1/users/${alice.id}/deposits`, { amount: '5' }),
    admin('deposit above 2^53', `/v1/users/${alice.id}/deposits`, '{"amount": 9007199254740993}'),
    admin('deposit taking the balance past 2^53-1', `/v1/users/${alice.id}/deposits`, { amount: Number.MAX_SAFE_INTEGER }),
    // The seller's own balance would stay in range; the money in the system would not.
    admin('deposit taking the money in neighborbid past 2^53-1', `/v1/users/${t.seller.id}/deposits`, { amount: Number.MAX_SAFE_INTEGER }),
    admin('opening balance taking the money in neighborbid past 2^53-1', '/v1/users', { name: 'rich', balance: Number.MAX_SAFE_INTEGER }),
    admin('user without a name', '/v1/users', { balance: 5 }),
    admin('user with an empty name', '/v1/users', { name: '   ' }),
    admin('user with a control character', '/v1/users', { name: 'bell\u0007' }),
    admin('user with an escape sequence', '/v1/users', { name: '\u001b[31mred' }),
    admin('user with a 65-character name', '/v1/users', { name: 'n'.repeat(65) }),
    admin('user with a negative balance', '/v1/users', { name: 'neg', balance: -1 }),
    admin('user with a fractional balance', '/v1/users', { name: 'frac', balance: 1.5 }),
    admin('user with a balance above 2^53', '/v1/users', '{"name": "big", "balance": 1e400}'),
    admin('user with an unknown field', '/v1/users', { name: 'x', admin: true }),
    lot('auction without a title', {}, ['title']),
    lot('auction with a 201-character title', { title: 't'.repeat(201) }),
    lot('auction with a newline in the title', { title: 'two\nlines' }),
    lot('auction without a start price', {}, ['startPrice']),
    lot('auction with a zero start price', { startPrice: 0 }),
    lot('auction with a string increment', { minIncrement: '10' }),
    lot('auction with a fractional increment', { minIncrement: 0.5 }),
    lot('auction with neither duration nor end', {}, ['durationSec']),
    lot('auction with both duration and end', { endsAt: soon(60_000) }),
    lot('auction with a zero duration', { durationSec: 0 }),
    lot('auction with a fractional duration', { durationSec: 1.5 }),
    lot('auction lasting over a year', { durationSec: 366 * 24 * 3600 }),
    lot('auction ending in the past', { endsAt: soon(-1000) }, ['durationSec']),
    lot('auction ending in over a year', { endsAt: soon(366 * 24 * 3600 * 1000) }, ['durationSec']),
    lot('auction ending on no date', { endsAt: 'tomorrow' }, ['durationSec']),
    lot('auction ending on a number', { endsAt: Date.now() + 60_000 }, ['durationSec']),
    lot('buy-now below the start price', { buyNowPrice: 99 }),
    lot('zero soft close', { softCloseSec: 0 }),
    lot('soft close over a day', { softCloseSec: 24 * 3600 + 1 }),
    lot('auction for another seller', { sellerId: t.seller.id }),
    // Listing queries.
    ...['limit=0', 'limit=201', 'limit=ten', 'limit=1.5', 'limit=-1', 'status=bogus', 'status=open&status=all', 'cursor=garbage', 'cursor=' + 'x'.repeat(300), 'page=2'].map(
      (q): Case => ({ name: `list ?${q}`, path: `/v1/auctions?${q}`, status: 400, code: 'INVALID_INPUT' }),
    ),
  ];
}

describe('bad input', () => {
  it('answers every bad request with a stable 4xx error and changes nothing', async () => {
    const before = { totals: await snapshot(t.daemon.context.sql), alice: await alice.client.me(), auction: await t.daemon.admin.auction(auctionId) };
    for (const c of barrage()) await expectError(c);
    // Also all at once, each over its own connection.
    await Promise.all(barrage().map(expectError));

    expect((await t.daemon.admin.health()).ok).toBe(true);
    expect(await snapshot(t.daemon.context.sql)).toEqual(before.totals);
    expect(await alice.client.me()).toEqual(before.alice);
    expect(await t.daemon.admin.auction(auctionId)).toEqual(before.auction);
    // And it still works: a good bid after the barrage is taken.
    const bob = await seedUser(t.daemon, 1000);
    expect((await bob.client.bid(auctionId, 110)).auction).toMatchObject({ leaderId: bob.id, bidCount: 2 });
  });

  it('answers a request that is not HTTP with the same error shape', async () => {
    const noHost = 'GET /v1/health HTTP/1.1\r\n\r\n'; // HTTP/1.1 requires Host
    for (const bytes of ['GARBAGE\r\n\r\n', 'POST /v1/users HTTP/1.1\r\nContent-Length: nope\r\n\r\n', '\x00\x01\x02\r\n\r\n', noHost, 'GET * HTTP/1.1\r\n\r\n']) {
      const answer = await sendBytes(t.daemon.url, bytes);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    }
    expect((await t.daemon.admin.health()).ok).toBe(true);
  });

  it('takes a body of exactly 16 KiB', async () => {
    const body = `{"amount": 5${' '.repeat(16 * 1024 - 13)}}`;
    expect(Buffer.byteLength(body)).toBe(16 * 1024);
    const r = await send(t.daemon.url, { method: 'POST', path: `/v1/users/${alice.id}/deposits`, token: t.daemon.adminToken, body });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ id: alice.id, balance: 1005 });
  });
});
