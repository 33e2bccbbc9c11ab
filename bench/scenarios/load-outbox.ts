// What the database says a load phase committed: the auctions' versions once
// the bids in flight have landed, the phase's events in the outbox with their
// commit times, and the check of what the watchers received against them.
import type pg from 'pg';
import type { Deliveries } from '../watchers/pool.js';

/** Each auction's version now. */
export async function versionsOf(c: pg.Client, auctions: number[]): Promise<Map<number, number>> {
  const r = await c.query<{ id: string; version: string }>('SELECT id, version FROM auctions WHERE id = ANY ($1::bigint[])', [auctions]);
  return new Map(r.rows.map((row) => [Number(row.id), Number(row.version)]));
}

/** Reads the auctions' versions until two reads 300 ms apart agree (bids in flight have landed); bounded. */
export async function settledVersions(c: pg.Client, auctions: number[]): Promise<Map<number, number>> {
  let last = await versionsOf(c, auctions);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await versionsOf(c, auctions);
    if ([...now].every(([a, v]) => last.get(a) === v)) return now;
    last = now;
  }
  return last;
}

/** One event of the run in the outbox, with its bid id (or its type when not a bid). */
export interface OutboxEvent {
  auction: number;
  version: number;
  signature: number | string;
}

/** Each event's commit time (epoch ms), or null when the server keeps no commit timestamps. */
export type CommitTimes = [auction: number, version: number, ms: number][] | null;

/**
 * The events of the run (after `starts`, up to `finals`), read once, and when
 * each committed (epoch ms): from PostgreSQL's commit timestamps (the bench's
 * embedded server runs with track_commit_timestamp on; another server may
 * not: then `commits` is null, and deliveries are timed from `at` only).
 */
export async function runEvents(c: pg.Client, starts: Map<number, number>, finals: Map<number, number>): Promise<{ events: OutboxEvent[]; commits: CommitTimes }> {
  const on = await c.query<{ v: string }>("SELECT current_setting('track_commit_timestamp') AS v");
  const timed = on.rows[0]?.v === 'on';
  const commitMs = timed ? 'extract(epoch FROM pg_xact_commit_timestamp(xmin))::float8 * 1000' : 'NULL::float8';
  const r = await c.query<{ a: string; v: string; type: string; bid: string | null; ms: number | null }>(
    `SELECT auction_id AS a, version AS v, type, payload->>'bidId' AS bid, ${commitMs} AS ms FROM events
      WHERE auction_id = ANY ($1::bigint[]) AND version > $2`,
    [[...starts.keys()], Math.min(...starts.values())],
  );
  const events: OutboxEvent[] = [];
  const commits: CommitTimes = timed ? [] : null;
  for (const row of r.rows) {
    const auction = Number(row.a);
    const version = Number(row.v);
    if (version <= starts.get(auction)! || version > finals.get(auction)!) continue;
    events.push({ auction, version, signature: row.bid === null ? row.type : Number(row.bid) });
    if (row.ms !== null) commits?.push([auction, version, row.ms]);
  }
  return { events, commits };
}

/** Compares what the watchers received with the outbox: every committed event seen, as committed, nothing else. */
export function checkOutbox(events: OutboxEvent[], d: Deliveries): { unseen: number; mismatched: number; phantom: number } {
  const outbox = new Map<number, Map<number, number | string>>();
  for (const e of events) {
    let m = outbox.get(e.auction);
    if (!m) outbox.set(e.auction, (m = new Map()));
    m.set(e.version, e.signature);
  }
  let unseen = 0;
  let mismatched = 0;
  let phantom = 0;
  for (const [a, versions] of outbox) {
    const seen = d.seen.get(a);
    for (const [v, sig] of versions) {
      const got = seen?.get(v);
      if (got === undefined) unseen++;
      else if (got !== sig) mismatched++;
    }
  }
  for (const [a, seen] of d.seen) for (const v of seen.keys()) if (!outbox.get(a)?.has(v)) phantom++;
  return { unseen, mismatched, phantom };
}
