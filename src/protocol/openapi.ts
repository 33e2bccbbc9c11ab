// The OpenAPI 3.1 document of the HTTP API, made from the route table and the
// zod schemas the daemon validates with (zod's JSON Schema output). Served at
// GET /v1/openapi.json and written to docs/openapi.json by `npm run openapi`.
import type { z } from 'zod';
import * as answers from './answers.js';
import { httpExamples } from './api-examples.js';
import { errorCodes, errorMessage, type ErrorCode } from './errors.js';
import { errorCodesOf, httpRoutes, type RouteDoc } from './http-routes.js';
import { componentSchemas, jsonSchemaOf, type Json } from './json-schema.js';
import { inboxPage } from './server-frames.js';
import { bidBody, createAuctionBody, createUserBody, depositBody, emptyBody, idempotencyKey, idParam } from './schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Answer schemas by component name (output: what the daemon sends). */
const answerComponents = new Map<z.ZodType, string>([
  [answers.auction, 'Auction'],
  [answers.bid, 'Bid'],
  [answers.auctionDetail, 'AuctionDetail'],
  [answers.auctionList, 'AuctionList'],
  [answers.bidResult, 'BidResult'],
  [answers.myBid, 'MyBid'],
  [answers.myBids, 'MyBids'],
  [answers.auctionResult, 'AuctionResult'],
  [answers.balance, 'Balance'],
  [answers.me, 'Me'],
  [answers.userName, 'UserName'],
  [answers.userList, 'UserList'],
  [answers.createdUser, 'CreatedUser'],
  [answers.rotatedToken, 'RotatedToken'],
  [inboxPage, 'InboxPage'],
  [answers.whoami, 'Whoami'],
  [answers.auditReport, 'AuditReport'],
  [answers.health, 'Health'],
  [answers.probe, 'Probe'],
  [answers.errorAnswer, 'Error'],
]);

/** Request body schemas by component name (input: what the daemon accepts). */
const bodyComponents = new Map<z.ZodType, string>([
  [createUserBody, 'CreateUser'],
  [depositBody, 'Deposit'],
  [createAuctionBody, 'CreateAuction'],
  [bidBody, 'PlaceBid'],
  [emptyBody, 'Empty'],
]);

function nameOf(map: Map<z.ZodType, string>, schema: z.ZodType, route: RouteDoc): string {
  const name = map.get(schema);
  if (!name) throw new Error(`${route.method} ${route.path}: its schema has no component name`);
  return name;
}

/** `/v1/auctions/:id` → `/v1/auctions/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

function parameters(route: RouteDoc, example: { params?: Json; query?: Json }): Json[] {
  const out: Json[] = Object.entries(route.params ?? {}).map(([name, what]) => ({
    name,
    in: 'path',
    required: true,
    description: `The ${what}.`,
    schema: jsonSchemaOf(idParam, 'input'),
    ...(example.params?.[name] === undefined ? {} : { example: example.params[name] }),
  }));
  if (route.query) {
    const q = jsonSchemaOf(route.query, 'input') as { properties: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties)) {
      out.push({
        name,
        in: 'query',
        required: q.required?.includes(name) ?? false,
        description: route.queryDescriptions?.[name],
        schema,
        ...(example.query?.[name] === undefined ? {} : { example: example.query[name] }),
      });
    }
  }
  if (route.idempotent) out.push({ $ref: '#/components/parameters/IdempotencyKey' });
  return out;
}

const retryable = (codes: ErrorCode[]) => codes.some((c) => errorCodes[c].retryable);

/** `AUCTION_CLOSED` + `IDEMPOTENCY_CONFLICT` → `AuctionClosedOrIdempotencyConflict` */
function responseName(codes: ErrorCode[]): string {
  return codes.map((c) => c.toLowerCase().replace(/(^|_)(\w)/g, (_m, _u, ch: string) => ch.toUpperCase())).join('Or');
}

/** The error answer of one status, listing the codes it can carry. */
function errorResponse(codes: ErrorCode[]): Json {
  return {
    description: codes.map((c) => `${c}: ${errorMessage(c)}`).join(' '),
    ...(retryable(codes) ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
    content: {
      'application/json': {
        schema: { allOf: [ref('Error'), { properties: { error: { properties: { code: { enum: codes } } } } }] },
        examples: Object.fromEntries(codes.map((c) => [c, { summary: errorMessage(c), value: { error: { code: c, message: errorMessage(c) } } }])),
      },
    },
  };
}

/** One response per status the route's error codes answer with, each a shared component in `shared`. */
function errorResponses(codes: ErrorCode[], shared: Record<string, Json>): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const c of codes) byStatus.set(errorCodes[c].status, [...(byStatus.get(errorCodes[c].status) ?? []), c]);
  const out: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const name = responseName(list);
    shared[name] ??= errorResponse(list);
    out[String(status)] = { $ref: `#/components/responses/${name}` };
  }
  return out;
}

const accessText = {
  anyone: 'No token needed.',
  token: 'Needs a token: a user token or the admin token.',
  user: 'Needs a user token.',
  admin: 'Needs the admin token.',
} as const;

function operation(route: RouteDoc, sharedResponses: Record<string, Json>): Json {
  const example = (httpExamples as Record<string, { params?: Json; query?: Json; body?: unknown; answer?: unknown }>)[route.operationId];
  if (!example) throw new Error(`${route.method} ${route.path}: no example (src/protocol/api-examples.ts)`);
  const codes = errorCodesOf(route, Object.keys(errorCodes) as ErrorCode[]);
  const responses: Record<string, Json> = {};
  for (const [i, a] of route.answers.entries()) {
    const media = a.schema
      ? { 'application/json': { schema: ref(nameOf(answerComponents, a.schema, route)), ...(i === 0 ? { example: example.answer } : {}) } }
      : a.mediaType
        ? { [a.mediaType]: { schema: { type: a.mediaType.startsWith('text/') ? 'string' : 'object' }, example: example.answer } }
        : undefined;
    responses[String(a.status)] = {
      description: a.description,
      ...(route.idempotent && a.status < 300 ? { headers: { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } } } : {}),
      ...(media ? { content: media } : {}),
    };
  }
  for (const [status, response] of Object.entries(errorResponses(codes, sharedResponses))) {
    if (responses[status]) throw new Error(`${route.method} ${route.path}: status ${status} is both an answer and an error`);
    responses[status] = response;
  }
  const body = route.body && nameOf(bodyComponents, route.body, route);
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, accessText[route.access]].filter(Boolean).join(' '),
    security: route.access === 'anyone' ? [] : [{ bearer: [] }],
    ...(parameters(route, example).length ? { parameters: parameters(route, example) } : {}),
    ...(body
      ? {
          requestBody: {
            // Buy, cancel and token take no fields: an empty object or no body at all.
            required: route.body !== emptyBody,
            content: { 'application/json': { schema: ref(body), example: example.body } },
          },
        }
      : {}),
    responses,
    'x-error-codes': codes,
  };
}

/** The whole document for a daemon of this version. */
export function openApiDocument(version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const responses: Record<string, Json> = {};
  for (const route of httpRoutes) {
    const p = (paths[openApiPath(route.path)] ??= {});
    p[route.method.toLowerCase()] = operation(route, responses);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'neighborbid',
      version,
      summary: 'A race-free bidding daemon: users, money, auctions and bids over HTTP; events over a WebSocket.',
      description:
        'Money is always a safe integer of the smallest unit; times are ISO 8601 in UTC. Every refusal is ' +
        '{"error":{"code","message",…}} with a stable code (listed per operation in x-error-codes). ' +
        'Writes take an Idempotency-Key. The WebSocket frames are described in docs/asyncapi.json.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: 'http://127.0.0.1:7700', description: 'A daemon on its default address' }],
    tags: [
      { name: 'users', description: 'Users, money and tokens.' },
      { name: 'auctions', description: 'Auctions and bids.' },
      { name: 'operations', description: 'Health, probes, audit, metrics and this document.' },
      { name: 'events', description: 'The event WebSocket.' },
    ],
    paths,
    components: {
      schemas: { ...componentSchemas(answerComponents, 'output'), ...componentSchemas(bodyComponents, 'input') },
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A user token (made by POST /v1/users) or the admin token (in the data directory, or NEIGHBORBID_ADMIN_TOKEN).',
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Makes a retry safe: the same key with the same request answers the first answer again (Idempotent-Replayed: true).',
          schema: jsonSchemaOf(idempotencyKey, 'input'),
          example: 'bid-42-7f3c',
        },
      },
      headers: {
        RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
        IdempotentReplayed: { description: 'true when this is the stored first answer to the Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
      },
    },
  };
}
