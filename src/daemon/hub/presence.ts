// "N watching": how many distinct users (or anonymous sockets) watch each
// auction over all daemons. Once a second each daemon writes what changed in
// its own counts (hub.localWatchers) and its heartbeat, and reads the totals of
// every daemon whose heartbeat is fresh; a daemon that died stops counting once
// its heartbeat is older than `expireMs`. Totals that changed since this daemon
// last sent them go to its sockets as presence frames, so each auction gets at
// most one a second. Counts only: no row and no frame names a user. Presence is
// not an event: no version, no outbox, nothing on the bid path.
//
// What presence costs is mostly the socket writes: a second's frames for one
// socket go out in one write, but with every count changing every second,
// every socket would be written every second. So auctions with a large
// audience are updated every fifth second only, all on the same seconds:
// their watchers' sockets are written a fifth as often (scripts/cluster/
// presence-cost.ts measures it; docs/scaling.md has the figures).
import type { Logger } from 'pino';
import { sqlArray, type Sql } from '../db/database.js';
import type { Hub } from './hub.js';

export interface PresenceOptions {
  sql: Sql;
  hub: Hub;
  daemonId: string;
  log: Logger;
  /** How often counts are written and totals read (default 1 s). */
  intervalMs?: number;
  /** A daemon whose heartbeat is older than this no longer counts (default 3 s). */
  expireMs?: number;
}

/** Rows of daemons gone this long are deleted (by whichever daemon notices). */
const FORGET_AFTER_S = 60;
/** Every this many ticks, the rows of long-gone daemons are deleted. */
const CLEAN_EVERY = 30;
/** Above this many watchers an auction's count is updated every LARGE_EVERY ticks only. */
export const LARGE_AUDIENCE = 100;
const LARGE_EVERY = 5;

export class Presence {
  /** This daemon's counts as the database holds them. */
  private written = new Map<number, number>();
  /** Every auction's total over the daemons that count, as last read. */
  private totals = new Map<number, number>();
  /** Per auction watched here, the total last sent to its sockets. */
  private sent = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private ticks = 0;

  constructor(private readonly o: PresenceOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch((err) => this.o.log.debug({ err: String(err) }, 'presence update failed; will try again'))
        .finally(() => (this.running = null));
    }, this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Watchers of an auction over all daemons, as of the last update (0 when nobody watches). */
  watching(auction: number): number {
    return this.totals.get(auction) ?? 0;
  }

  /** One update: write what changed here, read the others' counts, send the totals that changed. */
  async tick(): Promise<void> {
    const { sql, hub, daemonId } = this.o;
    const local = hub.localWatchers();
    const changed = [...local].filter(([id, n]) => this.written.get(id) !== n);
    const gone = [...this.written.keys()].filter((id) => !local.has(id));
    const expireS = (this.o.expireMs ?? 3000) / 1000;
    // One statement, not a transaction: nothing here needs more, and a statement
    // leaves no transaction half-done on a connection that a database restart cuts.
    // Its SELECT sees the table as the statement began, so it reads the other
    // daemons only; this daemon's own counts are `local`, exact and current.
    const others = await sql<{ id: number; watching: number }[]>`
      WITH beat AS (
        INSERT INTO presence_daemons (daemon_id, seen_at) VALUES (${daemonId}, now())
        ON CONFLICT (daemon_id) DO UPDATE SET seen_at = now()
      ), changed AS (
        INSERT INTO presence (daemon_id, auction_id, watching)
        SELECT ${daemonId}, t.a, t.n
          FROM unnest(${sqlArray(changed.map((c) => c[0]))}::bigint[], ${sqlArray(changed.map((c) => c[1]))}::bigint[]) AS t(a, n)
        ON CONFLICT (daemon_id, auction_id) DO UPDATE SET watching = excluded.watching
      ), gone AS (
        DELETE FROM presence WHERE daemon_id = ${daemonId} AND auction_id = ANY (${sqlArray(gone)}::bigint[])
      )
      SELECT p.auction_id AS id, sum(p.watching)::bigint AS watching
        FROM presence p JOIN presence_daemons d ON d.daemon_id = p.daemon_id
       WHERE p.daemon_id <> ${daemonId} AND d.seen_at > now() - make_interval(secs => ${expireS})
       GROUP BY p.auction_id`;
    for (const [id, n] of changed) this.written.set(id, n);
    for (const id of gone) this.written.delete(id);
    const totals = new Map(local);
    for (const r of others) totals.set(r.id, (totals.get(r.id) ?? 0) + r.watching);
    this.totals = totals;
    this.ticks++;

    const updates = new Map<number, number>();
    const largeTurn = this.ticks % LARGE_EVERY === 0;
    for (const id of hub.watched()) {
      const total = this.watching(id);
      const last = this.sent.get(id);
      if (last === total) continue;
      // A large audience (before or after the change) waits for the next large turn.
      if (!largeTurn && Math.max(total, last ?? 0) > LARGE_AUDIENCE) continue;
      updates.set(id, total);
    }
    for (const id of this.sent.keys()) if (!local.has(id)) this.sent.delete(id);
    for (const [id, n] of updates) this.sent.set(id, n);
    hub.sendPresence(updates);

    if (this.ticks % CLEAN_EVERY === 0) {
      await sql`
        WITH dead AS (DELETE FROM presence_daemons WHERE seen_at < now() - make_interval(secs => ${FORGET_AFTER_S}) RETURNING daemon_id)
        DELETE FROM presence p USING dead WHERE p.daemon_id = dead.daemon_id`;
    }
  }

  /** Stops updating and takes this daemon's counts out at once (a crash leaves them to expire). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    const { sql, daemonId } = this.o;
    await sql`
      WITH counts AS (DELETE FROM presence WHERE daemon_id = ${daemonId})
      DELETE FROM presence_daemons WHERE daemon_id = ${daemonId}`.catch((err: unknown) =>
      this.o.log.debug({ err: String(err) }, 'could not remove presence rows; they will expire'),
    );
  }
}
