// Creating, listing and showing auctions. The JSON of an auction is made by the
// SQL function nb_auction_json (rules/sql/helpers.ts), the one definition every answer uses.
import { nbError } from '../../protocol/errors.js';
import { standardIncrements } from '../../protocol/increments.js';
import type { CreateAuctionBody, ListAuctionsQuery, MyBidsQuery } from '../../protocol/schemas.js';
import { limits } from '../../protocol/schemas.js';
import type { Auction, AuctionDetail, AuctionList, Bid, MyBids } from '../../protocol/types.js';
import type { Sql } from '../db/database.js';
import { idempotentTx, type IdempotencyContext } from './idempotency.js';
import type { Outcome } from './outcome.js';
import { RULES_VERSION } from './sql/index.js';

const RECENT_BIDS = 20;

/** Opens an auction with the caller as seller. */
export async function createAuction(
  sql: Sql,
  sellerId: number,
  body: CreateAuctionBody,
  idem: IdempotencyContext,
): Promise<Outcome> {
  const endsAt = body.endsAt ? new Date(body.endsAt) : null;
  if (endsAt) {
    const ahead = endsAt.getTime() - Date.now();
    if (!(ahead > 0)) throw nbError('INVALID_INPUT', { reason: 'endsAtPast' });
    if (ahead > limits.maxDurationSec * 1000) throw nbError('INVALID_INPUT', { reason: 'endsAtTooFar' });
  }
  // A table is stored as given ("standard" as the table it names); a fixed increment as min_increment alone.
  const increments = body.increments === undefined ? null : body.increments === 'standard' ? standardIncrements : body.increments;
  return idempotentTx(sql, idem, 201, async (sp) => {
    const [row] = await sp<{ auction: Auction }[]>`
      INSERT INTO auctions (seller_id, title, start_price, min_increment, increments, reserve_price,
                            buy_now_price, buy_now_until, soft_close_sec, ends_at)
      VALUES (${sellerId}, ${body.title}, ${body.startPrice}, ${body.minIncrement ?? null},
              ${increments === null ? null : sp.json(increments.map((r) => ({ from: r.from, step: r.step })))}, ${body.reservePrice ?? null},
              ${body.buyNowPrice ?? null}, ${body.buyNowUntil ?? 'price'}, ${body.softCloseSec ?? null},
              date_trunc('milliseconds', coalesce(${endsAt}::timestamptz,
                                                  now() + make_interval(secs => ${body.durationSec ?? 0}))))
      RETURNING nb_auction_json(auctions.*, ${RULES_VERSION}) AS auction`;
    return row!.auction;
  });
}

interface Cursor {
  endsAt?: string;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

// What nb_iso() writes: the only end time a cursor of ours can hold.
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Reads a cursor; an open listing's cursor carries an end time, any other's must not. */
function decodeCursor(text: string, open: boolean): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor | null;
    const endOk = open
      ? typeof c?.endsAt === 'string' && CURSOR_TIME.test(c.endsAt) && !Number.isNaN(Date.parse(c.endsAt))
      : c?.endsAt === undefined;
    if (!c || !Number.isSafeInteger(c.id) || !endOk) throw 0;
    return c;
  } catch {
    throw nbError('INVALID_INPUT', { reason: 'cursor' });
  }
}

/**
 * Lists auctions a page at a time with a keyset cursor. Open auctions come
 * soonest-ending first (what a bidder wants to see); any other status, newest first.
 */
export async function listAuctions(sql: Sql, q: ListAuctionsQuery): Promise<AuctionList> {
  const cursor = q.cursor ? decodeCursor(q.cursor, q.status === 'open') : null;
  let rows: { auction: Auction }[];
  if (q.status === 'open') {
    const after = cursor ? sql`AND (ends_at, id) > (${cursor.endsAt!}::timestamptz, ${cursor.id})` : sql``;
    rows = await sql<{ auction: Auction }[]>`
      SELECT nb_auction_json(a.*, ${RULES_VERSION}) AS auction FROM auctions a
       WHERE status = 'open' ${after}
       ORDER BY ends_at, id LIMIT ${q.limit + 1}`;
  } else {
    const status = q.status === 'all' ? sql`` : sql`AND status = ${q.status}`;
    const before = cursor ? sql`AND id < ${cursor.id}` : sql``;
    rows = await sql<{ auction: Auction }[]>`
      SELECT nb_auction_json(a.*, ${RULES_VERSION}) AS auction FROM auctions a
       WHERE true ${status} ${before}
       ORDER BY id DESC LIMIT ${q.limit + 1}`;
  }
  const page = rows.slice(0, q.limit).map((r) => r.auction);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > q.limit && last
      ? encodeCursor(q.status === 'open' ? { endsAt: last.endsAt, id: last.id } : { id: last.id })
      : null;
  return { auctions: page, nextCursor };
}

/** One auction with its most recent bids, newest first. */
export async function getAuction(sql: Sql, id: number): Promise<AuctionDetail> {
  const [row] = await sql<{ auction: Auction; bids: Bid[] }[]>`
    SELECT nb_auction_json(a.*, ${RULES_VERSION}) AS auction,
           coalesce((SELECT jsonb_agg(nb_bid_json(b.*, ${RULES_VERSION}) ORDER BY b.version DESC)
                       FROM (SELECT * FROM bids WHERE auction_id = a.id
                              ORDER BY version DESC LIMIT ${RECENT_BIDS}) b), '[]') AS bids
      FROM auctions a WHERE a.id = ${id}`;
  if (!row) throw nbError('NOT_FOUND', { auction: id });
  return { ...row.auction, recentBids: row.bids };
}

/**
 * The auctions a user has bid on, newest first: each as they see it, with
 * their own working maximum while they lead (else their highest bid, which
 * is public) and whether they lead (or won).
 */
export async function myBids(sql: Sql, userId: number, q: MyBidsQuery): Promise<MyBids> {
  const open = q.status === 'open' ? sql`AND a.status = 'open'` : sql``;
  const rows = await sql<{ auction: Auction; leading: boolean; your_max: number }[]>`
    SELECT nb_auction_json(a.*, ${RULES_VERSION}) AS auction,
           (a.leader_id = ${userId} AND a.status IN ('open', 'closed')) AS leading,
           CASE WHEN a.leader_id = ${userId} AND a.leader_max IS NOT NULL THEN a.leader_max ELSE m.highest END AS your_max
      FROM (SELECT auction_id, max(amount) AS highest FROM bids WHERE bidder_id = ${userId} GROUP BY auction_id) m
      JOIN auctions a ON a.id = m.auction_id
     WHERE true ${open}
     ORDER BY a.id DESC LIMIT ${q.limit}`;
  return {
    bids: rows.map(({ auction: a, leading, your_max }) => ({
      auctionId: a.id, title: a.title, status: a.status, currentPrice: a.currentPrice, minNextBid: a.minNextBid,
      reserveMet: a.reserveMet, endsAt: a.endsAt, leading, yourMax: your_max,
    })),
  };
}
