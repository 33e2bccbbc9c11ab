// The inbox's rules (the table and its trigger are migration 005): reading a
// user's events after a position, telling the other bidders of an ended
// auction that they lost (the closer's pass over inbox_pending), and pruning
// what is older than the retention.
import { INBOX_RETENTION, type InboxEvent, type InboxPage } from '../../protocol/inbox.js';
import type { PrivateEvent } from '../../protocol/events.js';
import { nbError } from '../../protocol/errors.js';
import { sqlArray, withRetry, type Sql } from '../db/database.js';

/** An inbox row as read back: the stored event and its seq. */
export interface InboxRow {
  seq: number;
  payload: PrivateEvent;
}

/** The event as sent: the stored payload with its seq. */
export function inboxEvent(row: InboxRow): InboxEvent {
  return { ...row.payload, seq: row.seq };
}

/**
 * Where an answer for `after` starts, given the user's newest seq `last`: a
 * position past `last` is from another database (or a user id reused after a
 * reset), so the answer starts over from the oldest event kept.
 */
export function startOf(after: number, last: number): { from: number; beyond: boolean } {
  return after > last ? { from: 0, beyond: true } : { from: after, beyond: false };
}

/**
 * Whether events between the position asked for and the first one found are
 * missing (pruned), and where the answer then stands: just before the first
 * event found, or at `last` when none is kept.
 */
export function truncation(after: number, last: number, first: number | undefined): { truncated: boolean; at: number } {
  const { from, beyond } = startOf(after, last);
  if (first !== undefined) return { truncated: beyond || first > from + 1, at: first - 1 };
  return { truncated: beyond || from < last, at: beyond || from < last ? last : after };
}

/** The user's inbox after `after`, oldest first, at most `limit` events. */
export async function readInbox(sql: Sql, userId: number, after: number, limit: number): Promise<InboxPage> {
  // One statement, so the newest seq and the rows come from one snapshot.
  const rows = await sql<{ last: number; seq: number | null; payload: PrivateEvent | null }[]>`
    SELECT u.inbox_seq AS last, x.seq, x.payload
      FROM users u
      LEFT JOIN LATERAL (
        SELECT i.seq, i.payload FROM inbox i
         WHERE i.user_id = u.id AND i.seq > CASE WHEN ${after} > u.inbox_seq THEN 0 ELSE ${after} END
         ORDER BY i.seq LIMIT ${limit}) x ON true
     WHERE u.id = ${userId}
     ORDER BY x.seq`;
  if (rows.length === 0) throw nbError('NOT_FOUND', { user: userId });
  const last = rows[0]!.last;
  const events = rows.filter((r) => r.seq !== null).map((r) => inboxEvent(r as InboxRow));
  const { truncated, at } = truncation(after, last, events[0]?.seq);
  return { events, next: events.length > 0 ? events[events.length - 1]!.seq : at, last, truncated };
}

/**
 * Tells the other bidders of up to `limit` ended auctions that they lost, in
 * one transaction; returns how many auctions it handled and whose inboxes (and
 * sellers, whose `sale`/`unsold` the ending wrote) have news.
 */
export async function tellEndedAuctions(sql: Sql, limit = 100): Promise<{ auctions: number; users: number[] }> {
  // The closer asks on every pass; most passes find nothing, and need no transaction to say so.
  const [pending] = await sql<{ any: boolean }[]>`SELECT EXISTS (SELECT 1 FROM inbox_pending) AS any`;
  if (!pending?.any) return { auctions: 0, users: [] };
  return withRetry(() =>
    sql.begin(async (tx) => {
      // Lock 1: the pending rows; SKIP LOCKED lets the closers of several daemons share them.
      const todo = await tx<{ auction_id: number; version: number }[]>`
        SELECT auction_id, version FROM inbox_pending
         ORDER BY auction_id, version
         LIMIT ${limit}
           FOR UPDATE SKIP LOCKED`;
      if (todo.length === 0) return { auctions: 0, users: [] };
      const auctions = sqlArray(todo.map((t) => t.auction_id));
      const versions = sqlArray(todo.map((t) => t.version));
      // Lock 2: the users to tell, ascending id, before their inbox numbers are taken.
      const losers = await tx<{ id: number }[]>`
        SELECT id FROM users
         WHERE id IN (SELECT user_id FROM nb_inbox_losers(${auctions}::bigint[], ${versions}::bigint[]))
         ORDER BY id
           FOR UPDATE`;
      if (losers.length > 0) {
        await tx`
          SELECT nb_inbox_append(array_agg(l.user_id ORDER BY l.n), array_agg(l.payload ORDER BY l.n), array_agg(l.at ORDER BY l.n))
            FROM nb_inbox_losers(${auctions}::bigint[], ${versions}::bigint[]) WITH ORDINALITY AS l(user_id, payload, at, n)`;
      }
      const sellers = await tx<{ seller_id: number }[]>`
        DELETE FROM inbox_pending p
         USING unnest(${auctions}::bigint[], ${versions}::bigint[]) AS t(auction_id, version), auctions a
         WHERE p.auction_id = t.auction_id AND p.version = t.version AND a.id = p.auction_id
        RETURNING a.seller_id`;
      const users = new Set([...losers.map((l) => l.id), ...sellers.map((s) => s.seller_id)]);
      return { auctions: todo.length, users: [...users] };
    }),
  ) as Promise<{ auctions: number; users: number[] }>;
}

/** How much of the inbox is kept; see INBOX_RETENTION. */
export interface InboxRetention {
  days: number;
  events: number;
}

/** Rows deleted per statement, so that pruning a large backlog never holds one long transaction. */
const PRUNE_BATCH = 10_000;
/** Statements per pruning pass at most (the next pass goes on). */
const PRUNE_ROUNDS = 100;

/** Deletes inbox events older than the retention's days, or past its number per user; returns how many. */
export async function pruneInbox(sql: Sql, retention: InboxRetention = INBOX_RETENTION): Promise<number> {
  let total = 0;
  for (let i = 0; i < PRUNE_ROUNDS; i++) {
    const r = await sql`
      DELETE FROM inbox WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM inbox WHERE created_at < now() - make_interval(days => ${retention.days}) LIMIT ${PRUNE_BATCH}))`;
    total += r.count;
    if (r.count < PRUNE_BATCH) break;
  }
  for (let i = 0; i < PRUNE_ROUNDS; i++) {
    const r = await sql`
      DELETE FROM inbox WHERE ctid = ANY (ARRAY(
        SELECT x.ctid FROM users u JOIN inbox x ON x.user_id = u.id AND x.seq <= u.inbox_seq - ${retention.events}
         WHERE u.inbox_seq > ${retention.events}
         LIMIT ${PRUNE_BATCH}))`;
    total += r.count;
    if (r.count < PRUNE_BATCH) break;
  }
  return total;
}
