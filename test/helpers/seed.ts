// Small builders and checks shared by the tests: users with clients, auctions
// with sensible defaults, refusals as values, and the ledger/outbox as rows.
import { expect } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import type { Sql } from '../../src/daemon/db/database.js';
import { NbError } from '../../src/protocol/errors.js';
import type { CreateAuctionBody } from '../../src/protocol/schemas.js';
import type { Auction } from '../../src/protocol/types.js';

/** Anything that can make users: an in-process or a spawned daemon. */
export interface Admin {
  url: string;
  admin: HttpClient;
}

export interface SeededUser {
  id: number;
  name: string;
  token: string;
  /** A client of its own (its own connection per request). */
  client: HttpClient;
  /** A fresh client for this user, e.g. against another daemon of the same database. */
  clientFor(url: string): HttpClient;
}

let counter = 0;

/** Creates a user with an opening balance and a client for it. */
export async function seedUser(d: Admin, balance = 0, name = `user${++counter}`): Promise<SeededUser> {
  const created = await d.admin.createUser(name, balance);
  const clientFor = (url: string) => new HttpClient({ url, token: created.token });
  return { id: created.id, name, token: created.token, client: clientFor(d.url), clientFor };
}

/** Creates several users with the same balance, one request each, at once. */
export function seedUsers(d: Admin, n: number, balance = 0): Promise<SeededUser[]> {
  return Promise.all(Array.from({ length: n }, () => seedUser(d, balance)));
}

/**
 * Seconds an auction lasts when a test bids on it and then waits for its end:
 * long enough to place a few bids on a busy machine, short enough to wait for.
 */
export const ENDS_SOON = 2;

/** Opens an auction for the seller: start 100, increment 10, ten minutes, unless overridden. */
export function seedAuction(seller: SeededUser, overrides: Partial<CreateAuctionBody> = {}): Promise<Auction> {
  const body: CreateAuctionBody = { title: `lot ${++counter}`, startPrice: 100, minIncrement: 10, durationSec: 600, ...overrides };
  if (overrides.endsAt !== undefined && overrides.durationSec === undefined) delete body.durationSec;
  return seller.client.createAuction(body);
}

/** The error a request was refused with; fails if it succeeded or failed otherwise. */
export async function rejection(request: Promise<unknown>): Promise<NbError> {
  try {
    await request;
  } catch (err) {
    if (err instanceof NbError) return err;
    throw err;
  }
  throw new Error('expected the request to be refused, but it succeeded');
}

/** Asserts a request is refused with this code (and these details). */
export async function expectRefused(request: Promise<unknown>, code: string, details?: Record<string, unknown>): Promise<NbError> {
  const err = await rejection(request);
  expect(err.code, `refused with ${err.code}: ${err.message}`).toBe(code);
  expect(err.message).not.toBe('');
  if (details) expect(err.details).toMatchObject(details);
  return err;
}

/** Asserts the daemon's audit finds nothing wrong. */
export async function expectAuditClean(admin: HttpClient): Promise<void> {
  const report = await admin.audit();
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.totalBalances).toBe(report.totalDeposits);
}

/** Waits until the wall clock is past an auction's end (plus a margin). */
export async function waitUntilEnded(endsAt: string, marginMs = 50): Promise<void> {
  const ms = Date.parse(endsAt) + marginMs - Date.now();
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

export interface LedgerRow {
  userId: number;
  kind: 'deposit' | 'hold' | 'release' | 'charge' | 'payout';
  amount: number;
  deltaBalance: number;
  deltaHeld: number;
}

/** The ledger rows of one auction, in the order they were written. */
export function auctionLedger(sql: Sql, auctionId: number): Promise<LedgerRow[]> {
  return sql<LedgerRow[]>`
    SELECT user_id AS "userId", kind, amount, delta_balance AS "deltaBalance", delta_held AS "deltaHeld"
      FROM ledger WHERE auction_id = ${auctionId} ORDER BY id`;
}

export interface OutboxRow {
  version: number;
  type: string;
  payload: Record<string, unknown>;
  private: Record<string, unknown> | null;
}

/** The outbox of one auction, by version. */
export function auctionEvents(sql: Sql, auctionId: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    SELECT version, type, payload, private FROM events WHERE auction_id = ${auctionId} ORDER BY version`;
}

/**
 * Lesson 1: the bidder fires a whole-balance bid at every auction at once, one
 * connection each, spread over the given daemons. Exactly one wins; the others
 * are INSUFFICIENT_FUNDS; the audit is clean.
 */
export async function expectWinsExactlyOne(bidder: SeededUser, auctions: Auction[], urls: string[], admin?: HttpClient): Promise<void> {
  const balance = (await bidder.client.me()).available;
  const results = await Promise.allSettled(
    auctions.map((a, i) => bidder.clientFor(urls[i % urls.length]!).bid(a.id, balance)),
  );
  const won = results.filter((r) => r.status === 'fulfilled');
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  expect(won).toHaveLength(1);
  expect(refused).toHaveLength(auctions.length - 1);
  for (const reason of refused) {
    expect(reason).toBeInstanceOf(NbError);
    expect((reason as NbError).code).toBe('INSUFFICIENT_FUNDS');
  }
  expect(await bidder.client.me()).toMatchObject({ balance, held: balance, available: 0 });
  if (admin) await expectAuditClean(admin);
}

/** Counts and sums that any refused request must leave exactly as they were. */
export async function snapshot(sql: Sql): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, number>[]>`
    SELECT (SELECT count(*) FROM users)::bigint AS users,
           (SELECT coalesce(sum(balance), 0) FROM users)::bigint AS balances,
           (SELECT coalesce(sum(held), 0) FROM users)::bigint AS held,
           (SELECT count(*) FROM auctions)::bigint AS auctions,
           (SELECT coalesce(sum(version), 0) FROM auctions)::bigint AS versions,
           (SELECT count(*) FROM bids)::bigint AS bids,
           (SELECT count(*) FROM ledger)::bigint AS ledger,
           (SELECT count(*) FROM events)::bigint AS events`;
  return { ...row! };
}
