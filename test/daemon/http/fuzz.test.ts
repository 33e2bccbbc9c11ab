// Property-based fuzzing of every HTTP route (fast-check): random methods,
// paths, ids, query strings, tokens, headers and bodies — well-formed, nearly
// well-formed and garbage — and random bytes that are not HTTP at all. Never a
// 500, never a crash, every error in the one error shape with its code's
// status, and a request that is refused changes nothing: no balance, hold,
// ledger row, bid, event or user.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, isErrorCode } from '../../../src/protocol/errors.js';
import { useDaemon } from '../../helpers/fixture.js';
import { send, sendBytes, type RawRequest } from '../../helpers/raw-http.js';
import { soak } from '../../helpers/soak.js';
import { expectAuditClean, seedAuction, seedUser, snapshot, type SeededUser } from '../../helpers/seed.js';
import { report } from '../../helpers/tally.js';

// The rate limit would answer most of a fuzz run with 429 before any route saw it.
const t = useDaemon({ rateLimit: false });
let alice: SeededUser;
let bob: SeededUser;
let seller: SeededUser;
let ids: { lots: number[]; users: number[] };

beforeAll(async () => {
  [alice, bob, seller] = [await seedUser(t.daemon, 1000), await seedUser(t.daemon, 1000), await seedUser(t.daemon, 0)];
  const lots = [await seedAuction(seller, { buyNowPrice: 5000 }), await seedAuction(seller), await seedAuction(alice)];
  await alice.client.bid(lots[1]!.id, 100);
  ids = { lots: lots.map((l) => l.id), users: [alice.id, bob.id, seller.id] };
});

// ---- arbitraries ----

const ROUTES = [
  '/v1/users', '/v1/users/:id', '/v1/users/:id/deposits', '/v1/users/:id/token', '/v1/me', '/v1/whoami', '/v1/auctions',
  '/v1/auctions/:id', '/v1/auctions/:id/bids', '/v1/auctions/:id/buy', '/v1/auctions/:id/cancel',
  '/v1/audit', '/v1/health', '/metrics', '/v1/ws',
];

const weird = fc.constantFrom(
  '0', '-1', '1.5', '1e3', '0x10', '9007199254740993', '99999999999999999999', '%zz', '%00', '..', '.', '%2e%2e', 'null',
  'undefined', '__proto__', 'constructor', '1;DROP%20TABLE%20users', "1'--", '%EF%BC%91', '%F0%9F%92%B0', '%201', '1%20', '+1', '01', 'a'.repeat(150),
);
const idSegment = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids.lots, ...ids.users).map(String) },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 1_000_000 }).map(String) },
    { weight: 2, arbitrary: weird },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
  );
const query = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('status', 'limit', 'cursor', 'ids', 'token', 'amount', '__proto__', 'x'), fc.oneof(fc.string({ maxLength: 20 }), weird)), { maxLength: 4 })
      .map((kv) => `?${kv.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?status=open&status=all', '?limit=0', '?limit=201', '?cursor=' + 'x'.repeat(300), '?ids=1,2,3', '?ids=1,,2', '?ids=' + '1,'.repeat(250) + '1') },
);
const path = () =>
  fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), idSegment(), query).map(([r, id, q]) => r.replace(':id', id) + q) },
    { weight: 1, arbitrary: fc.webPath({ size: 'small' }).map((p) => (p.startsWith('/') ? p : `/${p}`)) },
    { weight: 1, arbitrary: fc.constantFrom('/', '//v1//auctions', '/v1/auctions/', '/V1/AUCTIONS', '/v1/auctions/%', '/v1/../v1/me', '/v1/auctions/1/bids/extra') },
  );

const money = fc.oneof(
  fc.integer({ min: -10, max: 3000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 53 - 1, Number.MAX_VALUE, 1e-9, 150.5),
  fc.string({ maxLength: 10 }),
  fc.constantFrom(null, true, false, [], {}, [200], { amount: 1 }),
);
const anyValue = fc.oneof(money, fc.jsonValue({ maxDepth: 3 }));
const fields = (keys: string[]) =>
  fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), anyValue, { maxKeys: 6 });
const jsonBody = fc.oneof(
  fields(['amount']),
  fields(['name', 'balance']),
  fields(['title', 'startPrice', 'minIncrement', 'durationSec', 'endsAt', 'buyNowPrice', 'softCloseSec', 'sellerId']),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 4 }),
);
/** JSON text, some of it broken: cut short, or with a few characters spliced in. */
const rawJson = fc.tuple(jsonBody, fc.nat(), fc.nat({ max: 2 }), fc.string({ maxLength: 3 })).map(([v, at, mode, junk]) => {
  const text = JSON.stringify(v) ?? 'null';
  const i = at % (text.length + 1);
  return mode === 0 ? text : mode === 1 ? text.slice(0, i) : text.slice(0, i) + junk + text.slice(i);
});
const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: rawJson },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.integer({ min: 16 * 1024 - 8, max: 20 * 1024 }).map((n) => `{"amount": 1${' '.repeat(n)}}`) },
);

const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
const token = () =>
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(alice.token, bob.token, seller.token, t.daemon.adminToken),
    fc.constantFrom(`nb_u${alice.id}_${bob.token.replace(/^nb_u\d+_/, '')}`, `${alice.token}x`, alice.token.slice(0, -1), 'nb_admin_', ''),
    headerValue,
  );
const headers = fc.record(
  {
    'content-type': fc.oneof(
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/JSON', ''),
      headerValue,
    ),
    'idempotency-key': fc.oneof(headerValue, fc.constant('k'), fc.constant('x'.repeat(201))),
    accept: headerValue,
    'x-user-id': fc.constantFrom('1', '2', 'admin'),
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity'),
    'transfer-encoding': fc.constant('chunked'),
  },
  { requiredKeys: [] },
);
/** Requests that may well succeed, so hostile ones are judged against a state that keeps changing. */
const plausible = () =>
  fc.oneof(
    fc.record({ lot: fc.constantFrom(...ids.lots), who: fc.constantFrom(alice, bob), amount: fc.integer({ min: 1, max: 4000 }) }).map(({ lot, who, amount }) => ({
      method: 'POST', path: `/v1/auctions/${lot}/bids`, token: who.token, body: JSON.stringify({ amount }),
    })),
    fc.record({ user: fc.constantFrom(...ids.users), amount: fc.integer({ min: 1, max: 1000 }) }).map(({ user, amount }) => ({
      method: 'POST', path: `/v1/users/${user}/deposits`, token: t.daemon.adminToken, body: JSON.stringify({ amount }),
    })),
    fc.record({ lot: fc.constantFrom(...ids.lots), who: fc.constantFrom(alice, bob) }).map(({ lot, who }) => ({
      method: 'POST', path: `/v1/auctions/${lot}/buy`, token: who.token, body: '{}',
    })),
    fc.integer({ min: 1, max: 500 }).map((price) => ({
      method: 'POST', path: '/v1/auctions', token: seller.token, body: JSON.stringify({ title: `fuzz ${price}`, startPrice: price, minIncrement: 1, durationSec: 600, buyNowPrice: price * 3 }),
    })),
  ).map((r) => ({ ...r, headers: { 'content-type': 'application/json' }, scheme: 'Bearer' }));

const request = () =>
  fc.oneof({ weight: 5, arbitrary: hostile() }, { weight: 1, arbitrary: plausible() });

const hostile = () =>
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    path: path(),
    token: token(),
    body,
    headers,
    scheme: fc.constantFrom('Bearer', 'bearer', 'Basic', 'Bearer  '),
  });

// ---- the property ----

describe('HTTP fuzzing', () => {
  it('never answers 500, always in the error shape, and a refused request changes nothing', async () => {
    const tally = { requests: 0, refused: 0, accepted: 0, writes: 0, statuses: new Map<number, number>() };
    await fc.assert(
      fc.asyncProperty(request(), async (r) => {
        const req: RawRequest = { method: r.method, path: r.path, body: r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body, timeoutMs: 10_000 };
        req.headers = { ...(r.headers as Record<string, string>) };
        if (r.token !== undefined) req.headers.authorization = `${r.scheme} ${r.token}`;
        if (req.body === undefined) delete req.headers['transfer-encoding'];
        const before = await snapshot(t.daemon.context.sql);
        const res = await send(t.daemon.url, req);
        tally.requests++;
        tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
        expect(res.status, res.text).not.toBe(500);
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(504);
        if (res.status >= 400) {
          tally.refused++;
          if (r.method !== 'HEAD') {
            expect(Object.keys(res.json ?? {}), res.text).toEqual(['error']);
            const { code, message } = res.json.error;
            expect(isErrorCode(code), code).toBe(true);
            expect(errorCodes[code as keyof typeof errorCodes].status).toBe(res.status);
            expect(message).toMatch(/\w/);
            expect(res.text).not.toMatch(/\n\s+at |node_modules|Error:/);
          }
          // Refused: nothing moved.
          expect(await snapshot(t.daemon.context.sql)).toEqual(before);
        } else {
          tally.accepted++;
          if (r.method === 'POST') tally.writes++;
          if (r.method === 'GET' || r.method === 'HEAD') expect(await snapshot(t.daemon.context.sql)).toEqual(before);
        }
      }),
      { numRuns: soak(1000, 20_000), interruptAfterTimeLimit: soak(90_000, 1_200_000) },
    );
    expect(tally.requests).toBeGreaterThan(0);
    expect((await t.daemon.admin.health()).ok).toBe(true);
    await expectAuditClean(t.daemon.admin);
    const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${n}×${s}`).join(', ');
    report({
      fault: 'random HTTP requests to every route: methods, paths, ids, queries, tokens, headers, bodies',
      operations: tally.requests,
      checked: `answers ${statuses}: ${tally.refused} refused, each in the error shape and changing nothing, ${tally.accepted} accepted (${tally.writes} of them writes); no 500; audit clean`,
      lost: 0,
    });
  }, soak(120_000, 1_800_000));

  it('answers bytes that are not HTTP with a 4xx in the error shape, or closes, and keeps serving', async () => {
    let sent = 0;
    const line = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.tuple(fc.constantFrom('GET', 'POST', 'G\u0000T', '', 'PRI'), fc.string({ maxLength: 20 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '')).map((p) => p.join(' ')),
    );
    const bytes = fc.tuple(line, fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }), fc.string({ maxLength: 40 })).map(
      ([l, hs, b]) => `${l}\r\n${hs.join('\r\n')}\r\n\r\n${b}`,
    );
    const before = await snapshot(t.daemon.context.sql);
    await fc.assert(
      fc.asyncProperty(bytes, async (raw) => {
        const answer = await sendBytes(t.daemon.url, raw);
        sent++;
        if (answer === '') return; // closed without a word: allowed
        const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
        expect(status, answer.slice(0, 200)).toBeGreaterThanOrEqual(200);
        expect(status).not.toBe(500);
        const first = answer.slice(answer.indexOf('\r\n\r\n') + 4).split('\r\n')[0]!.trim();
        if (status >= 400) expect(isErrorCode(JSON.parse(first).error?.code), answer.slice(0, 300)).toBe(true);
      }),
      { numRuns: soak(150, 5000), interruptAfterTimeLimit: soak(60_000, 600_000) },
    );
    expect(await snapshot(t.daemon.context.sql)).toEqual(before);
    expect((await t.daemon.admin.health()).ok).toBe(true);
    report({
      fault: 'random bytes that are not HTTP',
      operations: sent,
      checked: 'each refused with a 4xx in the error shape (or answered, when the bytes made a request), or closed; never a 500; nothing changed; the daemon kept serving',
      lost: 0,
    });
  }, soak(120_000, 900_000));
});
