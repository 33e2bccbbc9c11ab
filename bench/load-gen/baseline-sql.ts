// The raw-SQL contenders the daemon is measured against, fired straight at
// PostgreSQL through `pg` (a driver the daemon does not use), on the same
// database and with the same concurrency:
//
//   statements  the seed's way: one bid per transaction, statement by statement,
//               each a round trip while the auction's row lock is held. Plain
//               bids only (a maximum is placed as a plain bid of its amount):
//               the rules before maxima, the simplest transaction a bid can be.
//   function    one call of the daemon's own rule, nb_place_bids, per bid: one
//               round trip, one transaction per bid, no batching. It places
//               maximum bids too, as the daemon does.
//   naive       a deliberately wrong check-then-write (race only): no
//               transaction, no locks, so concurrent bids all pass the check.
import pg from 'pg';
import { RULES_VERSION } from '../../src/daemon/rules/sql/index.js';
import { connectClient, withClient } from '../harness/pg-client.js';
import { Tally, type BidLoadResult, type LoadLimits } from './tally.js';

export type SqlMode = 'statements' | 'function' | 'naive';

/** null when the bid was accepted, else the refusal code. */
export type BidAnswer = string | null;

interface AuctionRow {
  id: string;
  seller_id: string;
  status: string;
  expired: boolean;
  start_price: string;
  min_increment: string;
  current_price: string | null;
  leader_id: string | null;
  /** The leader's maximum, which is their hold (a plain bid's maximum is its amount). */
  leader_max: string | null;
  bid_count: number;
  version: string;
  ends_at: string;
}

const AUCTION_COLUMNS = `id, seller_id, status, now() >= ends_at AS expired, start_price, min_increment,
  current_price, leader_id, leader_max, bid_count, version, nb_iso(ends_at) AS ends_at`;

function minNextBid(a: AuctionRow): number | null {
  if (a.status !== 'open') return null;
  return a.current_price === null ? Number(a.start_price) : Number(a.current_price) + Number(a.min_increment);
}

// The rule's checks, in the order nb_place_bids makes them.
function check(a: AuctionRow | undefined, bidder: number, amount: number, available: number | undefined): BidAnswer {
  if (!a) return 'NOT_FOUND';
  if (available === undefined) return 'NOT_FOUND';
  if (a.status !== 'open' || a.expired) return 'AUCTION_CLOSED';
  if (Number(a.seller_id) === bidder) return 'SELF_BID';
  const min = minNextBid(a);
  if (min === null || amount < min) return 'BID_TOO_LOW';
  if (available < amount) return 'INSUFFICIENT_FUNDS';
  return null;
}

// Writes the effects of an accepted bid (bid row, ledger, outbox) as separate
// statements, the auction row and the holds already updated by the caller.
type Balances = { userId: number; balance: number; held: number }[];

async function recordBid(c: pg.Client, a: AuctionRow, bidder: number, amount: number, version: number, balances: Balances): Promise<void> {
  const prev = a.leader_id === null ? null : Number(a.leader_id);
  const released = a.leader_max === null ? null : Number(a.leader_max);
  const bid = await c.query<{ id: string; at: string }>(
    `INSERT INTO bids (auction_id, bidder_id, amount, version, created_at)
     VALUES ($1, $2, $3, $4, clock_timestamp()) RETURNING id, nb_iso(created_at) AS at`,
    [a.id, bidder, amount, version],
  );
  const { id: bidId, at } = bid.rows[0]!;
  if (prev !== null) {
    await c.query(
      `INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id, bid_id)
       VALUES ($1, 'release', $2, 0, -$2::bigint, $3, $4), ($5, 'hold', $6, 0, $6, $3, $4)`,
      [prev, released, a.id, bidId, bidder, amount],
    );
  } else {
    await c.query(
      `INSERT INTO ledger (user_id, kind, amount, delta_balance, delta_held, auction_id, bid_id)
       VALUES ($1, 'hold', $2, 0, $2, $3, $4)`,
      [bidder, amount, a.id, bidId],
    );
  }
  const payload = {
    type: 'bid', auction: Number(a.id), version, at, bidId: Number(bidId), bidderId: bidder, amount, automatic: false,
    price: amount, leaderId: bidder, previousLeaderId: prev, bidCount: a.bid_count + 1,
    endsAt: a.ends_at, minNextBid: amount + Number(a.min_increment), reserveMet: true,
  };
  const outbid = prev !== null && prev !== bidder ? { outbid: { userId: prev, released, by: 'bid' } } : {};
  await c.query(
    `INSERT INTO events (auction_id, version, type, payload, private, created_at) VALUES ($1, $2, 'bid', $3, $4, $5)`,
    [a.id, version, JSON.stringify(payload), JSON.stringify({ balances, ...outbid }), at],
  );
}

/**
 * (a) The seed's way: BEGIN, lock, check, write, COMMIT — one round trip per
 * statement. The amount is raised to the minimum next bid read under the lock
 * (see bidByFunction).
 */
async function bidByStatements(c: pg.Client, auction: number, bidder: number, planned: number): Promise<BidAnswer> {
  await c.query('BEGIN');
  try {
    // Lock 1: the auction row.
    const a = (await c.query<AuctionRow>(`SELECT ${AUCTION_COLUMNS} FROM auctions WHERE id = $1 FOR UPDATE`, [auction])).rows[0];
    const amount = Math.max(planned, (a && minNextBid(a)) ?? planned);
    // Lock 2: the bidder and the current leader, ascending id.
    const ids = a?.leader_id ? [bidder, Number(a.leader_id)] : [bidder];
    const users = (await c.query<{ id: string; balance: string; held: string }>(
      'SELECT id, balance, held FROM users WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE', [ids],
    )).rows;
    const me = users.find((u) => Number(u.id) === bidder);
    const ownHold = a && Number(a.leader_id) === bidder ? Number(a.leader_max) : 0;
    const refusal = check(a, bidder, amount, me && Number(me.balance) - Number(me.held) + ownHold);
    if (refusal) {
      await c.query('ROLLBACK');
      return refusal;
    }
    const version = Number(a!.version) + 1;
    const balances: Balances = [];
    if (a!.leader_id !== null) {
      const r = await c.query<{ balance: string; held: string }>(
        'UPDATE users SET held = held - $2 WHERE id = $1 RETURNING balance, held', [a!.leader_id, a!.leader_max]);
      balances.push({ userId: Number(a!.leader_id), balance: Number(r.rows[0]!.balance), held: Number(r.rows[0]!.held) });
    }
    const r = await c.query<{ balance: string; held: string }>(
      'UPDATE users SET held = held + $2 WHERE id = $1 RETURNING balance, held', [bidder, amount]);
    balances.unshift({ userId: bidder, balance: Number(r.rows[0]!.balance), held: Number(r.rows[0]!.held) });
    if (Number(a!.leader_id) === bidder) balances.splice(1); // re-bidding leader: one entry, as the rule writes
    await c.query(
      `UPDATE auctions SET current_price = $2, leader_id = $3, leader_max = $2, bid_count = bid_count + 1, version = $4 WHERE id = $1`,
      [auction, amount, bidder, version],
    );
    await recordBid(c, a!, bidder, amount, version, balances);
    await c.query('COMMIT');
    return null;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

// Sixty-four connections waiting on one row lock are woken in no particular
// order, so a bid whose amount was fixed when it was sent would mostly arrive
// after a higher one and be refused (a refusal writes nothing and costs no
// flush). So that every baseline transaction is a real accepted bid, as in a
// pgbench run, the baselines raise the amount to the minimum next bid read
// under the auction's lock. The daemon gets no such help: its bids carry the
// amount chosen at send time.
const BID_AT_LEAST = /* sql */ `
CREATE OR REPLACE FUNCTION nb_bench_bid_at_least(p_auction bigint, p_bidder bigint, p_amount bigint, p_max boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  a auctions%ROWTYPE;
BEGIN
  -- Lock 1, as nb_place_bids takes it (it takes it again, at no cost).
  SELECT * INTO a FROM auctions WHERE id = p_auction FOR UPDATE;
  RETURN nb_place_bids(p_auction, jsonb_build_array(jsonb_build_object(
    'bidderId', p_bidder, 'amount', greatest(p_amount, coalesce(nb_min_next_bid(a), p_amount)), 'max', p_max)), ${RULES_VERSION});
END
$$`;

/** Creates the baselines' helper function in the run's database (after the daemon has migrated it). */
export async function prepareBaselines(url: string): Promise<void> {
  await withClient(url, (c) => c.query(BID_AT_LEAST));
}

/** (b) One call of the daemon's rule per bid: one round trip, one transaction. */
async function bidByFunction(c: pg.Client, auction: number, bidder: number, amount: number, max = false): Promise<BidAnswer> {
  const r = await c.query<{ r: { results: { body: { error?: { code: string } } }[] } }>(
    'SELECT nb_bench_bid_at_least($1, $2, $3, $4) AS r',
    [auction, bidder, amount, max],
  );
  // The rule answers with a body only: a refusal carries its error code.
  return r.rows[0]!.r.results[0]!.body.error?.code ?? null;
}

/** How long the naive bid sleeps between its check and its write, to widen the race window. */
export const NAIVE_GAP_SECONDS = 0.01;

/**
 * The deliberately wrong way, for the race to catch: read the balance, check,
 * wait a moment (pg_sleep, so the demonstration does not depend on luck), then
 * write the new hold computed from what was read. No transaction, no lock.
 */
async function bidNaively(c: pg.Client, auction: number, bidder: number, amount: number): Promise<BidAnswer> {
  const a = (await c.query<AuctionRow>(`SELECT ${AUCTION_COLUMNS} FROM auctions WHERE id = $1`, [auction])).rows[0];
  const me = (await c.query<{ balance: string; held: string }>('SELECT balance, held FROM users WHERE id = $1', [bidder])).rows[0];
  const ownHold = a && Number(a.leader_id) === bidder ? Number(a.leader_max) : 0;
  const refusal = check(a, bidder, amount, me && Number(me.balance) - Number(me.held) + ownHold);
  if (refusal) return refusal;
  await c.query('SELECT pg_sleep($1)', [NAIVE_GAP_SECONDS]);
  const version = Number(a!.version) + 1;
  const held = Number(me!.held) + amount;
  await c.query('UPDATE users SET held = $2 WHERE id = $1', [bidder, held]);
  await c.query(
    `UPDATE auctions SET current_price = $2, leader_id = $3, leader_max = $2, bid_count = $4, version = $5 WHERE id = $1`,
    [auction, amount, bidder, a!.bid_count + 1, version],
  );
  await recordBid(c, a!, bidder, amount, version, [{ userId: bidder, balance: Number(me!.balance), held }]);
  return null;
}

const BIDDERS: Record<SqlMode, (c: pg.Client, auction: number, bidder: number, amount: number, max: boolean) => Promise<BidAnswer>> = {
  statements: bidByStatements,
  function: bidByFunction,
  naive: bidNaively,
};

const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Places one bid the given way, retrying deadlocks and serialization failures
 * as the daemon does; `max` makes it a maximum bid (the function way only).
 */
export async function placeBid(c: pg.Client, mode: SqlMode, auction: number, bidder: number, amount: number, max = false): Promise<BidAnswer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await BIDDERS[mode](c, auction, bidder, amount, max);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!RETRYABLE.has(code) || attempt >= 6) throw err;
    }
  }
}

/** Opens `n` connections (each its own backend) to the database. */
export async function connectAll(url: string, n: number): Promise<pg.Client[]> {
  const connected = await Promise.allSettled(Array.from({ length: n }, () => connectClient(url)));
  const clients = connected.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = connected.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    throw failed.reason;
  }
  return clients;
}

/** One bid as the SQL contenders place it: auction id, bidder user id, amount, and whether it is a maximum. */
export interface SqlBid {
  auction: number;
  bidderId: number;
  amount: number;
  max?: boolean;
}

export interface SqlLoadOptions extends LoadLimits {
  url: string;
  mode: SqlMode;
  connections: number;
  /** The next bid to place; called just before it is sent. */
  next(): SqlBid;
  /** Called when the last bid is answered, before the connections close. */
  onDone?(): Promise<void>;
}

/** Fires bids straight at PostgreSQL, one per transaction, on N connections until the limits. */
export async function runSqlLoad(o: SqlLoadOptions): Promise<BidLoadResult> {
  await prepareBaselines(o.url);
  const clients = await connectAll(o.url, o.connections);
  const tally = new Tally(o);
  try {
    await Promise.all(
      clients.map(async (c) => {
        while (tally.take()) {
          const bid = o.next();
          const t0 = performance.now();
          let answer: BidAnswer;
          try {
            answer = await placeBid(c, o.mode, bid.auction, bid.bidderId, bid.amount, bid.max ?? false);
          } catch (err) {
            // A database error that retrying did not cure: count it and stop this connection.
            tally.transportErrors++;
            tally.refuse(`SQL_${(err as { code?: string }).code ?? 'ERROR'}`);
            return;
          }
          tally.answer(answer, performance.now() - t0);
        }
      }),
    );
    const result = tally.finish();
    await o.onDone?.();
    return result;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}
