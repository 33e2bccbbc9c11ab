// The hub's reads of committed state: auction snapshots, current versions and
// ranges of outbox events. Each kind of read is batched across auctions and
// sockets (BatchLoader) and runs on the hub's own small pool, so a storm of
// subscriptions never takes connections from the bids.
import type { AuctionEvent } from '../../protocol/events.js';
import type { Auction } from '../../protocol/types.js';
import { sqlArray, type Sql } from '../db/database.js';
import { RULES_VERSION } from '../rules/sql/index.js';
import { BatchLoader } from './batch-loader.js';

/** Most events one range read returns; callers page on from the last one. */
export const RANGE_PAGE = 1000;

export interface Snapshot {
  version: number;
  state: Auction;
}

export class OutboxReader {
  private readonly snapshots: BatchLoader<number, Snapshot | null>;
  private readonly versionsLoader: BatchLoader<number, number | null>;
  private readonly ranges: BatchLoader<string, AuctionEvent[]>;

  /** `watching` gives an auction's watchers for its snapshots (presence.ts). */
  constructor(sql: Sql, watching: (id: number) => number | undefined = () => undefined) {
    this.snapshots = new BatchLoader(async (ids) => {
      const rows = await sql<{ id: number; version: number; state: Auction }[]>`
        SELECT a.id, a.version, nb_auction_json(a.*, ${RULES_VERSION}) AS state FROM auctions a WHERE a.id = ANY (${sqlArray(ids)}::bigint[])`;
      return new Map(rows.map((r) => [r.id, { version: r.version, state: withWatching(r.state, watching(r.id)) }]));
    }, null);

    this.versionsLoader = new BatchLoader(async (ids) => {
      const rows = await sql<{ id: number; version: number }[]>`
        SELECT id, version FROM auctions WHERE id = ANY (${sqlArray(ids)}::bigint[])`;
      return new Map(rows.map((r) => [r.id, r.version]));
    }, null);

    this.ranges = new BatchLoader(async (keys) => {
      const parsed = keys.map((k) => k.split(':').map(Number) as [number, number, number]);
      const rows = await sql<{ i: number; payload: AuctionEvent }[]>`
        SELECT r.i, e.payload
          FROM unnest(${sqlArray(parsed.map((p) => p[0]))}::bigint[], ${sqlArray(parsed.map((p) => p[1]))}::bigint[],
                      ${sqlArray(parsed.map((p) => p[2]))}::bigint[]) WITH ORDINALITY AS r(id, lo, hi, i)
          JOIN events e ON e.auction_id = r.id AND e.version > r.lo AND e.version <= r.hi
         ORDER BY r.i, e.version`;
      const out = new Map<string, AuctionEvent[]>(keys.map((k) => [k, []]));
      for (const row of rows) out.get(keys[row.i - 1]!)!.push(row.payload);
      return out;
    }, []);
  }

  /** The auction as the HTTP API shows it, with its version; null when there is no such auction. */
  snapshot(id: number): Promise<Snapshot | null> {
    return this.snapshots.load(id);
  }

  /** The current version of an auction; null when there is no such auction. */
  version(id: number): Promise<number | null> {
    return this.versionsLoader.load(id);
  }

  /** Committed events of an auction with after < version ≤ upTo, in order, at most RANGE_PAGE of them. */
  events(id: number, after: number, upTo: number): Promise<AuctionEvent[]> {
    const hi = Math.min(upTo, after + RANGE_PAGE);
    return this.ranges.load(`${id}:${after}:${hi}`);
  }
}

function withWatching(state: Auction, watching: number | undefined): Auction {
  return watching === undefined ? state : { ...state, watching };
}
