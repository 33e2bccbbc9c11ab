// Every route of the HTTP API, described: who may call it, what it takes (the
// same zod schemas the daemon validates with), what it answers and which error
// codes its own rules can answer. The OpenAPI document is made from this table,
// and a test fails when the daemon registers a route that is not in it.
import { z } from 'zod';
import * as answers from './answers.js';
import type { ErrorCode } from './errors.js';
import { inboxQuery } from './inbox.js';
import { inboxPage } from './server-frames.js';
import { bidBody, createAuctionBody, createUserBody, depositBody, emptyBody, listAuctionsQuery, myBidsQuery, userIdsQuery } from './schemas.js';

/** Who may call a route: anyone, any valid token, a user's token, the admin token. */
export type Access = 'anyone' | 'token' | 'user' | 'admin';

export interface RouteAnswer {
  status: number;
  description: string;
  /** A JSON answer's schema; text answers name their media type instead. */
  schema?: z.ZodType;
  mediaType?: string;
}

export interface RouteDoc {
  method: 'GET' | 'POST';
  /** As the daemon registers it, with `:name` path parameters (each an id). */
  path: string;
  operationId: string;
  tag: 'users' | 'auctions' | 'operations' | 'events';
  summary: string;
  description?: string;
  access: Access;
  /** What each path parameter names. */
  params?: Record<string, string>;
  query?: z.ZodObject;
  queryDescriptions?: Record<string, string>;
  body?: z.ZodType;
  /** Takes an Idempotency-Key header. */
  idempotent?: boolean;
  /** Reads or writes the database itself (so it can answer UNAVAILABLE). */
  database?: boolean;
  answers: RouteAnswer[];
  /**
   * Codes this route's own rules answer. Those every route can answer, and
   * those that follow from access, method and Idempotency-Key, are added by
   * `errorCodesOf`.
   */
  errors: ErrorCode[];
}

/** The WebSocket's query: the token, for clients that cannot set headers (browsers). */
const socketQuery = z.strictObject({ token: z.string().optional() });

const ok = (description: string, schema: z.ZodType, status = 200): RouteAnswer => ({ status, description, schema });

export const httpRoutes: RouteDoc[] = [
  {
    method: 'POST', path: '/v1/users', operationId: 'createUser', tag: 'users', access: 'admin', idempotent: true, database: true,
    summary: 'Create a user',
    description: 'Makes a user with an optional opening balance and answers with their token, shown only this once.',
    body: createUserBody,
    answers: [ok('The user and their token.', answers.createdUser, 201)],
    errors: [],
  },
  {
    method: 'POST', path: '/v1/users/:id/deposits', operationId: 'deposit', tag: 'users', access: 'admin', idempotent: true, database: true,
    summary: 'Add money to a user', params: { id: 'user id' }, body: depositBody,
    answers: [ok('The new balance.', answers.balance)],
    errors: ['NOT_FOUND'],
  },
  {
    method: 'POST', path: '/v1/users/:id/token', operationId: 'rotateToken', tag: 'users', access: 'admin', database: true,
    summary: "Replace a user's token", description: 'The old token stops working; the new one is shown once.',
    params: { id: 'user id' }, body: emptyBody,
    answers: [ok('The new token.', answers.rotatedToken)],
    errors: ['NOT_FOUND'],
  },
  {
    method: 'GET', path: '/v1/users/:id', operationId: 'getUser', tag: 'users', access: 'anyone', database: true,
    summary: "A user's name", description: 'Names are public, as on any auction site; balances are not.',
    params: { id: 'user id' },
    answers: [ok('The user.', answers.userName)],
    errors: ['NOT_FOUND'],
  },
  {
    method: 'GET', path: '/v1/users', operationId: 'getUsers', tag: 'users', access: 'anyone', database: true,
    summary: 'Many names in one request',
    query: userIdsQuery, queryDescriptions: { ids: 'One to 200 user ids, comma-separated; repeats are answered once.' },
    answers: [ok('The users that exist among those asked for.', answers.userList)],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/me', operationId: 'getMe', tag: 'users', access: 'user', database: true,
    summary: 'Your balance and holds',
    answers: [ok('Balance, money held by leading bids, and what is available.', answers.me)],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/me/events', operationId: 'getMyEvents', tag: 'users', access: 'user', database: true,
    summary: 'Your inbox: what happened while you were away',
    description: 'Your private events (outbid, won, lost, sale, unsold, balance) after a seq, oldest first; kept 30 days, at most the newest 1,000.',
    query: inboxQuery,
    queryDescriptions: { after: 'The seq to read after (0: from the oldest kept).', limit: 'At most this many events (1 to 1,000; default 100).' },
    answers: [ok('The events, where to continue, the newest seq, and whether older ones were pruned.', inboxPage)],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/whoami', operationId: 'whoami', tag: 'users', access: 'token',
    summary: 'Who a token is', description: 'For any valid token, the admin token too: a cheap check of a token.',
    answers: [ok('The admin, or the user and their name.', answers.whoami)],
    errors: [],
  },
  {
    method: 'POST', path: '/v1/auctions', operationId: 'createAuction', tag: 'auctions', access: 'user', idempotent: true, database: true,
    summary: 'Create an auction',
    description:
      'Give exactly one of durationSec and endsAt, and exactly one of minIncrement (a fixed step) and increments ' +
      '(a table, or "standard"). reservePrice is hidden from everyone, the seller included, once set: the auction shows ' +
      'hasReserve and reserveMet. buyNowUntil says how long buy now is offered (price, firstBid, reserveMet).',
    body: createAuctionBody,
    answers: [ok('The new auction.', answers.auction, 201)],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/auctions', operationId: 'listAuctions', tag: 'auctions', access: 'anyone', database: true,
    summary: 'List auctions', description: 'Ending soonest first, a page at a time.',
    query: listAuctionsQuery,
    queryDescriptions: {
      status: 'Which auctions: open (the default), one ended status, or all.',
      limit: 'Auctions per page, 1 to 200 (default 50).',
      cursor: "The previous page's nextCursor.",
    },
    answers: [ok('A page of auctions.', answers.auctionList)],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/auctions/:id', operationId: 'getAuction', tag: 'auctions', access: 'anyone', database: true,
    summary: 'An auction and its recent bids', params: { id: 'auction id' },
    answers: [ok('The auction.', answers.auctionDetail)],
    errors: ['NOT_FOUND'],
  },
  {
    method: 'POST', path: '/v1/auctions/:id/bids', operationId: 'placeBid', tag: 'auctions', access: 'user', idempotent: true, database: true,
    summary: 'Bid: a plain bid or a maximum',
    description:
      'Exactly one of amount and max. {"amount": N} is a visible bid of exactly N. {"max": M} is hidden: the auction bids ' +
      'for you one increment at a time, only as far as it must, up to M, and answers every lower bid at once. ' +
      'Either needs available funds for all of it, held while you lead (your hold is your maximum). ' +
      'A leader may raise their maximum without moving the price. docs/rules.md has every rule with examples.',
    params: { id: 'auction id' }, body: bidBody,
    answers: [ok('Your bid row (null when only your maximum rose), every row it made, the auction, whether you lead and your maximum.', answers.bidResult, 201)],
    errors: ['NOT_FOUND', 'AUCTION_CLOSED', 'SELF_BID', 'BID_TOO_LOW', 'INSUFFICIENT_FUNDS'],
  },
  {
    method: 'GET', path: '/v1/me/bids', operationId: 'myBids', tag: 'users', access: 'user', database: true,
    summary: 'The auctions you have bid on',
    description: 'Newest first, each with its price, whether you lead, and your own maximum (or your highest bid where you do not lead).',
    query: myBidsQuery,
    queryDescriptions: { status: 'open, or all (the default).', limit: 'At most this many, 1 to 200 (default 100).' },
    answers: [ok('Your bids, per auction.', answers.myBids)],
    errors: [],
  },
  {
    method: 'POST', path: '/v1/auctions/:id/buy', operationId: 'buyNow', tag: 'auctions', access: 'user', idempotent: true, database: true,
    summary: 'Buy now at the buy-now price', params: { id: 'auction id' }, body: emptyBody,
    answers: [ok('The auction, sold to you.', answers.auctionResult)],
    errors: ['NOT_FOUND', 'AUCTION_CLOSED', 'SELF_BID', 'BUY_NOW_UNAVAILABLE', 'INSUFFICIENT_FUNDS'],
  },
  {
    method: 'POST', path: '/v1/auctions/:id/cancel', operationId: 'cancelAuction', tag: 'auctions', access: 'token', idempotent: true, database: true,
    summary: 'Cancel an auction', description: 'Its seller may while it has no bids; the admin token always may while it is open.',
    params: { id: 'auction id' }, body: emptyBody,
    answers: [ok('The auction, cancelled.', answers.auctionResult)],
    errors: ['NOT_FOUND', 'FORBIDDEN', 'AUCTION_CLOSED', 'CANNOT_CANCEL'],
  },
  {
    method: 'GET', path: '/v1/health', operationId: 'health', tag: 'operations', access: 'anyone',
    summary: 'Health, version and daemon id',
    answers: [
      ok('The daemon and its database are up.', answers.health),
      ok('The database is down, or the daemon is stopping.', answers.health, 503),
    ],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/health/live', operationId: 'live', tag: 'operations', access: 'anyone',
    summary: 'Liveness probe', description: 'The process answers; an orchestrator restarts it when this fails.',
    answers: [ok('Alive.', answers.probe)],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/health/ready', operationId: 'ready', tag: 'operations', access: 'anyone',
    summary: 'Readiness probe',
    description: 'The database answers and has every migration this daemon knows; not while the daemon is stopping.',
    answers: [ok('Ready for traffic.', answers.probe)],
    errors: ['UNAVAILABLE', 'SHUTTING_DOWN'],
  },
  {
    method: 'GET', path: '/v1/audit', operationId: 'audit', tag: 'operations', access: 'admin', database: true,
    summary: 'Check that money is conserved and every hold is backed',
    answers: [ok('The report; ok is false when something is wrong.', answers.auditReport)],
    errors: [],
  },
  {
    method: 'GET', path: '/metrics', operationId: 'metrics', tag: 'operations', access: 'anyone',
    summary: 'Prometheus metrics',
    answers: [{ status: 200, description: 'The Prometheus text format.', mediaType: 'text/plain; version=0.0.4; charset=utf-8' }],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/openapi.json', operationId: 'openapi', tag: 'operations', access: 'anyone',
    summary: 'This document',
    answers: [{ status: 200, description: 'The OpenAPI 3.1 document of this API.', mediaType: 'application/json' }],
    errors: [],
  },
  {
    method: 'GET', path: '/v1/ws', operationId: 'websocket', tag: 'events', access: 'anyone',
    summary: 'The event WebSocket',
    query: socketQuery, queryDescriptions: { token: 'A token, when the Authorization header cannot be set.' },
    description:
      'Upgrade to a WebSocket (token in the Authorization header or ?token=, optional: with one, private events come too). ' +
      'The frames are described in docs/asyncapi.json. A plain GET without Upgrade is answered 400.',
    answers: [{ status: 101, description: 'Switching protocols: the socket is open and its first frame is `welcome`.' }],
    errors: ['UNAUTHORIZED', 'SHUTTING_DOWN', 'UNAVAILABLE'],
  },
];

/** Codes every route can answer: broken requests, limits, and bugs. */
export const everyRouteErrors: ErrorCode[] = ['INVALID_INPUT', 'PAYLOAD_TOO_LARGE', 'TOO_MANY_CONNECTIONS', 'RATE_LIMITED', 'INTERNAL'];

/** Every error code a route can answer, in the order of the error table. */
export function errorCodesOf(route: RouteDoc, order: readonly ErrorCode[]): ErrorCode[] {
  const codes = new Set<ErrorCode>([...everyRouteErrors, ...route.errors]);
  if (route.access !== 'anyone') {
    // A user token is looked up in the database.
    for (const c of ['UNAUTHORIZED', 'UNAVAILABLE'] as const) codes.add(c);
    if (route.access !== 'token') codes.add('FORBIDDEN');
  }
  if (route.database) codes.add('UNAVAILABLE');
  if (route.method !== 'GET') codes.add('SHUTTING_DOWN');
  if (route.idempotent) codes.add('IDEMPOTENCY_CONFLICT');
  return order.filter((c) => codes.has(c));
}
