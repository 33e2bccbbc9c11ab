// The hub's reads of users' inboxes: each user's newest seq, and ranges of
// their events. Batched across users (BatchLoader) on the hub's own pool, like
// the outbox reads, so a thousand users' sockets cost a handful of queries.
import { sqlArray, type Sql } from '../db/database.js';
import type { InboxRow } from '../rules/inbox.js';
import { BatchLoader } from './batch-loader.js';

/** Most events one range read returns; callers page on from the last one. */
export const INBOX_RANGE_PAGE = 1000;

export class InboxReader {
  private readonly heads: BatchLoader<number, number>;
  private readonly ranges: BatchLoader<string, InboxRow[]>;

  constructor(sql: Sql) {
    this.heads = new BatchLoader(async (ids) => {
      const rows = await sql<{ id: number; inbox_seq: number }[]>`
        SELECT id, inbox_seq FROM users WHERE id = ANY (${sqlArray(ids)}::bigint[])`;
      return new Map(rows.map((r) => [r.id, r.inbox_seq]));
    }, 0);

    this.ranges = new BatchLoader(async (keys) => {
      const parsed = keys.map((k) => k.split(':').map(Number) as [number, number, number]);
      // One primary-key range per key: OFFSET 0 keeps the LATERAL subquery from becoming a
      // join, which a plan cached while the inbox was small makes a hash join over all of it.
      const rows = await sql<{ i: number; seq: number; payload: InboxRow['payload'] }[]>`
        SELECT r.i, x.seq, x.payload
          FROM unnest(${sqlArray(parsed.map((p) => p[0]))}::bigint[], ${sqlArray(parsed.map((p) => p[1]))}::bigint[],
                      ${sqlArray(parsed.map((p) => p[2]))}::bigint[]) WITH ORDINALITY AS r(user_id, lo, hi, i)
         CROSS JOIN LATERAL (SELECT i.seq, i.payload FROM inbox i
                              WHERE i.user_id = r.user_id AND i.seq > r.lo AND i.seq <= r.hi ORDER BY i.seq OFFSET 0) x
         ORDER BY r.i, x.seq`;
      const out = new Map<string, InboxRow[]>(keys.map((k) => [k, []]));
      for (const row of rows) out.get(keys[row.i - 1]!)!.push({ seq: row.seq, payload: row.payload });
      return out;
    }, []);
  }

  /** The user's newest seq (0 for a user with no event, or no such user). */
  head(userId: number): Promise<number> {
    return this.heads.load(userId);
  }

  /** The user's kept events with after < seq ≤ upTo, in order, at most INBOX_RANGE_PAGE of them. */
  events(userId: number, after: number, upTo = Number.MAX_SAFE_INTEGER): Promise<InboxRow[]> {
    const hi = Math.min(upTo, after + INBOX_RANGE_PAGE);
    return this.ranges.load(`${userId}:${after}:${hi}`);
  }
}
