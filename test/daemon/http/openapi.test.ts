// GET /v1/openapi.json: an OpenAPI 3.1 document that an independent validator
// accepts, that describes exactly the routes the daemon registers (a route added
// without a description fails here), that lists every error code, whose examples
// fit their schemas, and whose schemas fit what the daemon really answers.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp, registeredRoutes } from '../../../src/daemon/http/app.js';
import * as answers from '../../../src/protocol/answers.js';
import { httpExamples } from '../../../src/protocol/api-examples.js';
import { errorCodes, type ErrorCode } from '../../../src/protocol/errors.js';
import { httpRoutes, type RouteDoc } from '../../../src/protocol/http-routes.js';
import { openApiDocument, openApiPath } from '../../../src/protocol/openapi.js';
import { idParam } from '../../../src/protocol/schemas.js';
import { VERSION } from '../../../src/version.js';
import { useDaemon } from '../../helpers/fixture.js';
import { send, type RawRequest, type RawResponse } from '../../helpers/raw-http.js';
import { seedAuction, seedUser, type SeededUser } from '../../helpers/seed.js';

const t = useDaemon();
const DOC_FILE = resolve(import.meta.dirname, '../../../docs/openapi.json');

interface Operation {
  operationId: string;
  responses: Record<string, unknown>;
  'x-error-codes': ErrorCode[];
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

let doc: Doc;
beforeAll(async () => {
  const r = await send(t.daemon.url, { path: '/v1/openapi.json' });
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  doc = r.json as Doc;
});

/** `METHOD /path` of every operation in a document, with Fastify's `:param` paths. */
function described(d: Doc): string[] {
  return Object.entries(d.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
}

/** What the routes and the document disagree on; Fastify's HEAD copy of each GET counts as the GET. */
function disagreement(routes: readonly string[], d: Doc): { undescribed: string[]; unregistered: string[] } {
  const own = routes.filter((r) => !(r.startsWith('HEAD ') && routes.includes(`GET ${r.slice(5)}`)));
  const doc = described(d);
  return { undescribed: own.filter((r) => !doc.includes(r)), unregistered: doc.filter((r) => !own.includes(r)) };
}

function operationOf(route: RouteDoc): Operation {
  return doc.paths[openApiPath(route.path)]![route.method.toLowerCase()]!;
}

describe('the OpenAPI document', () => {
  it('passes an independent OpenAPI 3.1 validator and is the one in docs/openapi.json (npm run openapi)', async () => {
    const result = await new Validator().validate(structuredClone(doc) as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(JSON.parse(readFileSync(DOC_FILE, 'utf8'))).toEqual(doc);
    expect(doc).toEqual(openApiDocument(VERSION));
  });

  it('describes every route the daemon registers, and nothing else', () => {
    expect(t.daemon.routes.length).toBeGreaterThanOrEqual(httpRoutes.length);
    expect(disagreement(t.daemon.routes, doc)).toEqual({ undescribed: [], unregistered: [] });
  });

  it('finds a route added without a description', async () => {
    const app = buildHttpApp(t.daemon.context, { logger: pino({ level: 'silent' }), rateLimit: false });
    app.get('/v1/new-thing', async () => ({}));
    await app.ready();
    expect(disagreement(registeredRoutes(app), doc).undescribed).toEqual(['GET /v1/new-thing']);
    await app.close();
  });

  it('lists every error code HTTP can answer, each under its status with the Error schema', () => {
    const socketOnly: ErrorCode[] = ['TOO_MANY_SUBSCRIPTIONS', 'SLOW_CONSUMER'];
    const httpCodes = (Object.keys(errorCodes) as ErrorCode[]).filter((c) => errorCodes[c].status >= 400 && !socketOnly.includes(c));
    const listed = new Set(Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op['x-error-codes'])));
    expect([...listed].sort()).toEqual(httpCodes.sort());
    const shared = (doc as unknown as { components: { responses: Record<string, any> } }).components.responses;
    for (const route of httpRoutes) {
      const op = operationOf(route);
      for (const code of op['x-error-codes']) {
        const response = op.responses[String(errorCodes[code].status)] as { $ref: string };
        const body = shared[response.$ref.split('/').pop()!].content['application/json'];
        expect(body.schema.allOf[0]).toEqual({ $ref: '#/components/schemas/Error' });
        expect(body.schema.allOf[1].properties.error.properties.code.enum, `${route.operationId} ${code}`).toContain(code);
        expect(answers.errorAnswer.parse(body.examples[code].value).error.code).toBe(code);
      }
    }
  });

  it('has an example of each route, each fitting its schema', () => {
    for (const route of httpRoutes) {
      const ex = (httpExamples as Record<string, { params?: Record<string, string>; query?: unknown; body?: unknown; answer?: unknown }>)[route.operationId];
      expect(ex, route.operationId).toBeDefined();
      for (const v of Object.values(ex!.params ?? {})) expect(idParam.safeParse(v).success).toBe(true);
      expect(Object.keys(ex!.params ?? {})).toEqual(Object.keys(route.params ?? {}));
      if (route.query) expect(route.query.safeParse(ex!.query).error).toBeUndefined();
      if (route.body) expect(route.body.safeParse(ex!.body).error, route.operationId).toBeUndefined();
      const schema = route.answers[0]!.schema;
      if (schema) expect(schema.parse(ex!.answer), route.operationId).toEqual(ex!.answer);
      else if (route.answers[0]!.status !== 101) expect(ex!.answer).toBeDefined();
    }
  });
});

describe('what the daemon really answers', () => {
  const seen = new Set<string>();
  afterAll(() => {
    // Every route was asked at least once below.
    expect([...seen].sort()).toEqual(httpRoutes.map((r) => r.operationId).sort());
  });

  /** Sends a request to the route and checks the answer is one the document describes. */
  async function call(operationId: string, req: Omit<RawRequest, 'method' | 'path'> & { path?: string; params?: Record<string, number> }): Promise<RawResponse> {
    const route = httpRoutes.find((r) => r.operationId === operationId)!;
    const path = req.path ?? route.path.replace(/:(\w+)/g, (_m, name: string) => String(req.params![name]));
    const r = await send(t.daemon.url, { ...req, method: route.method, path });
    seen.add(operationId);
    const op = operationOf(route);
    expect(Object.keys(op.responses), `${operationId} answered ${r.status}: ${r.text.slice(0, 200)}`).toContain(String(r.status));
    if (r.status >= 400) {
      const code = answers.errorAnswer.parse(r.json).error.code;
      expect(op['x-error-codes'], operationId).toContain(code);
      expect(errorCodes[code].status).toBe(r.status);
      return r;
    }
    const answer = route.answers.find((a) => a.status === r.status)!;
    if (answer.schema) expect(answer.schema.parse(r.json), operationId).toEqual(r.json);
    if (answer.mediaType) expect(r.headers['content-type']?.split(';')[0]).toBe(answer.mediaType.split(';')[0]);
    return r;
  }

  let seller: SeededUser;
  let bidder: SeededUser;
  const admin = () => t.daemon.adminToken;

  beforeAll(async () => {
    seller = await seedUser(t.daemon);
    bidder = await seedUser(t.daemon, 10_000);
  });

  it('users, money and tokens', async () => {
    const key = { 'idempotency-key': 'openapi-create-1' };
    const made = await call('createUser', { token: admin(), body: { name: 'eve', balance: 100 }, headers: key });
    expect(made.status).toBe(201);
    const replay = await call('createUser', { token: admin(), body: { name: 'eve', balance: 100 }, headers: key });
    expect([replay.headers['idempotent-replayed'], replay.json.token]).toEqual(['true', null]);
    expect((await call('createUser', { token: admin(), body: { name: 'someone else' }, headers: key })).json.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await call('createUser', { token: admin(), body: { name: '' } })).status).toBe(400);
    expect((await call('createUser', { token: bidder.token, body: { name: 'x' } })).status).toBe(403);
    const id = made.json.id as number;
    expect((await call('deposit', { token: admin(), params: { id }, body: { amount: 50 } })).status).toBe(200);
    expect((await call('deposit', { token: admin(), params: { id: 9_999_999 }, body: { amount: 50 } })).status).toBe(404);
    expect((await call('rotateToken', { token: admin(), params: { id }, body: {} })).status).toBe(200);
    expect((await call('getUser', { params: { id } })).status).toBe(200);
    expect((await call('getUser', { params: { id: 9_999_999 } })).status).toBe(404);
    expect((await call('getUsers', { path: `/v1/users?ids=${id},${bidder.id}` })).json.users).toHaveLength(2);
    expect((await call('getMe', { token: bidder.token })).status).toBe(200);
    expect((await call('getMe', {})).status).toBe(401);
    expect((await call('getMyEvents', { token: bidder.token, path: '/v1/me/events?after=0' })).status).toBe(200);
    expect((await call('getMyEvents', { token: bidder.token, path: '/v1/me/events?limit=0' })).status).toBe(400);
    expect((await call('whoami', { token: bidder.token })).json.kind).toBe('user');
    expect((await call('whoami', { token: admin() })).json.kind).toBe('admin');
  });

  it('auctions and bids', async () => {
    const created = await call('createAuction', {
      token: seller.token,
      body: { title: 'lamp', startPrice: 100, minIncrement: 10, durationSec: 3600, buyNowPrice: 500, softCloseSec: 5 },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    expect((await call('createAuction', { token: seller.token, body: { title: 'x', startPrice: 1, minIncrement: 1 } })).status).toBe(400);
    expect((await call('listAuctions', { path: '/v1/auctions?status=all&limit=2' })).status).toBe(200);
    expect((await call('placeBid', { token: bidder.token, params: { id }, body: { amount: 100 } })).status).toBe(201);
    expect((await call('placeBid', { token: bidder.token, params: { id }, body: { amount: 101 } })).json.error.code).toBe('BID_TOO_LOW');
    expect((await call('placeBid', { token: seller.token, params: { id }, body: { amount: 200 } })).json.error.code).toBe('SELF_BID');
    expect((await call('placeBid', { params: { id }, body: { amount: 200 } })).status).toBe(401);
    const raised = await call('placeBid', { token: bidder.token, params: { id }, body: { max: 300 } });
    expect(raised.json).toMatchObject({ bid: null, leading: true, yourMax: 300 });
    expect((await call('placeBid', { token: bidder.token, params: { id }, body: { amount: 110, max: 300 } })).status).toBe(400);
    expect((await call('myBids', { token: bidder.token })).json.bids[0]).toMatchObject({ auctionId: id, leading: true, yourMax: 300 });
    expect((await call('myBids', { token: bidder.token, path: '/v1/me/bids?status=nope' })).status).toBe(400);
    expect((await call('getAuction', { params: { id } })).json.recentBids).toHaveLength(1);
    expect((await call('getAuction', { params: { id: 9_999_999 } })).status).toBe(404);
    expect((await call('buyNow', { token: bidder.token, params: { id }, body: {} })).json.auction.status).toBe('sold');
    expect((await call('buyNow', { token: bidder.token, params: { id }, body: {} })).json.error.code).toBe('AUCTION_CLOSED');
    const other = await seedAuction(seller);
    expect((await call('cancelAuction', { token: bidder.token, params: { id: other.id }, body: {} })).json.error.code).toBe('FORBIDDEN');
    expect((await call('cancelAuction', { token: seller.token, params: { id: other.id }, body: {} })).json.auction.status).toBe('cancelled');
  });

  it('operations and the socket route', async () => {
    expect((await call('health', {})).json.ok).toBe(true);
    expect((await call('live', {})).status).toBe(200);
    expect((await call('ready', {})).status).toBe(200);
    expect((await call('audit', { token: admin() })).json.ok).toBe(true);
    expect((await call('audit', { token: bidder.token })).status).toBe(403);
    expect((await call('metrics', {})).text).toContain('nb_bids_total');
    expect((await call('openapi', {})).json.openapi).toMatch(/^3\.1\./);
    // A plain GET, without the upgrade; the upgrade itself is in the AsyncAPI test.
    expect((await call('websocket', {})).json.error.code).toBe('INVALID_INPUT');
  });
});
