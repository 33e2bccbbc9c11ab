// A bid load for fault tests: bidders raising auctions at once, each bid over
// its own connection with its own Idempotency-Key and an amount no other bid
// has (so the database row of every bid can be found), with every answer — or
// the lack of one — recorded, each request bounded in time.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { sqlArray, type Sql } from '../../src/daemon/db/database.js';
import { send } from './raw-http.js';
import type { SeededUser } from './seed.js';

export interface Attempt {
  /** The HTTP status, or null when no answer came (refused, cut, or past the deadline). */
  status: number | null;
  /** The error code of an error answer, or what went wrong with the connection. */
  code?: string;
  body?: any;
  replayed: boolean;
  retryAfter?: string | undefined;
  ms: number;
  url: string;
}

export interface LoadBid {
  key: string;
  auction: number;
  bidder: SeededUser;
  amount: number;
  attempts: Attempt[];
}

export interface BidLoadOptions {
  bidders: SeededUser[];
  auctions: number[];
  /** The daemon a bidder's n-th request goes to. */
  url(bidder: number, request: number): string;
  /** Keep starting bids while this holds. */
  running(): boolean;
  /** Bids in all, at most. */
  maxBids: number;
  /** Deadline of each request. */
  timeoutMs: number;
  /** Whether to send the same bid (same key, same body) again after this attempt; default never. */
  again?(attempt: Attempt, tries: number): boolean;
  /** Pause before sending a bid again. */
  retryPauseMs?: number;
  /** Pause of each bidder between two bids (default none: as fast as answers come). */
  pauseMs?: number;
}

/** The answer a bid got in the end. */
export const lastAttempt = (b: LoadBid): Attempt => b.attempts[b.attempts.length - 1]!;

/** Sends one bid once; a missing answer is an attempt with status null. */
export async function sendBid(url: string, bid: LoadBid, timeoutMs: number): Promise<Attempt> {
  const started = Date.now();
  try {
    const r = await send(url, {
      path: `/v1/auctions/${bid.auction}/bids`,
      token: bid.bidder.token,
      body: { amount: bid.amount },
      headers: { 'idempotency-key': bid.key },
      timeoutMs,
    });
    return {
      status: r.status,
      code: r.json?.error?.code,
      body: r.json,
      replayed: r.headers['idempotent-replayed'] === 'true',
      retryAfter: r.headers['retry-after'] as string | undefined,
      ms: Date.now() - started,
      url,
    };
  } catch (err) {
    return { status: null, code: (err as NodeJS.ErrnoException).code ?? (err as Error).message, replayed: false, ms: Date.now() - started, url };
  }
}

/** Runs the load until `running()` turns false or `maxBids` have started; resolves with every bid. */
export async function bidLoad(o: BidLoadOptions): Promise<LoadBid[]> {
  const bids: LoadBid[] = [];
  let next = 0;
  await Promise.all(
    o.bidders.map(async (bidder, b) => {
      let request = 0;
      while (o.running() && next < o.maxBids) {
        const n = next++;
        const bid: LoadBid = { key: randomBytes(12).toString('hex'), auction: o.auctions[n % o.auctions.length]!, bidder, amount: 1000 + n, attempts: [] };
        bids.push(bid);
        for (let tries = 1; ; tries++) {
          const attempt = await sendBid(o.url(b, request++), bid, o.timeoutMs);
          bid.attempts.push(attempt);
          if (!o.again?.(attempt, tries)) break;
          await new Promise((r) => setTimeout(r, o.retryPauseMs ?? 100));
        }
        // A daemon that is gone or going answers at once; do not spin on it.
        const last = lastAttempt(bid).status;
        if (last === null || last === 503) await new Promise((r) => setTimeout(r, 20));
        if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
      }
    }),
  );
  return bids;
}

/**
 * The database holds exactly the bids whose last answer was 201, each once and
 * with the id it was answered with, and none of the others.
 */
export async function expectBidsAsAnswered(sql: Sql, bids: LoadBid[]): Promise<void> {
  const auctions = [...new Set(bids.map((b) => b.auction))];
  const rows = await sql<{ id: number; auction_id: number; bidder_id: number; amount: number }[]>`
    SELECT id, auction_id, bidder_id, amount FROM bids WHERE auction_id = ANY (${sqlArray(auctions)}::bigint[]) ORDER BY id`;
  const accepted = bids
    .filter((b) => lastAttempt(b).status === 201)
    .map((b) => ({ id: lastAttempt(b).body.bid.id as number, auction_id: b.auction, bidder_id: b.bidder.id, amount: b.amount }))
    .sort((p, q) => p.id - q.id);
  expect(rows).toEqual(accepted);
}
