// Tells the other daemons, after commit, that events were committed: one
// NOTIFY flush for everything committed since the previous flush, on a
// connection of its own. Nothing waits for it: the bid is answered and this
// daemon's sockets are served before the flush goes out. A lost flush delays
// other daemons' watchers until their catch-up, never loses their events:
// the events themselves are in the outbox.
import type { Logger } from 'pino';
import type { Sql } from '../db/database.js';
import { errorFields } from '../log-fields.js';
import type { SocketMetrics } from '../metrics.js';
import { NOTIFY_CHANNEL, packDoorbells } from './doorbell.js';

export class Notifier {
  private versions = new Map<number, number>();
  private users = new Set<number>();
  private running: Promise<void> | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly daemonId: string,
    private readonly metrics: SocketMetrics,
    private readonly log: Logger,
  ) {}

  /** Queues committed versions (auction → highest version) and users with inbox news for the next flush. */
  add(versions: Iterable<[number, number]>, users: Iterable<number>): void {
    for (const [auction, version] of versions) {
      if (version > (this.versions.get(auction) ?? 0)) this.versions.set(auction, version);
    }
    for (const id of users) this.users.add(id);
    // No timer: an idle daemon flushes at once (after this turn, so one commit's rows go
    // together); under load, whatever arrives during one flush goes in the next.
    if (!this.running && (this.versions.size > 0 || this.users.size > 0)) {
      this.running = new Promise((r) => setImmediate(r)).then(() => this.drain());
    }
  }

  /** Sends what is queued and waits for flushes in flight. */
  async close(): Promise<void> {
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.versions.size > 0 || this.users.size > 0) {
        const payloads = packDoorbells(this.daemonId, this.versions, this.users);
        this.versions = new Map();
        this.users = new Set();
        try {
          await this.sql`SELECT pg_notify(${NOTIFY_CHANNEL}, p) FROM jsonb_array_elements_text(${this.sql.json(payloads)}) AS p`;
          this.metrics.notifyFlushes.inc({ result: 'ok' });
        } catch (err) {
          // Receivers' catch-up reads the events from the outbox and the inboxes: nothing is lost.
          this.metrics.notifyFlushes.inc({ result: 'failed' });
          this.log.warn(errorFields(this.log, err), 'could not notify other daemons; they will catch up from the outbox');
        }
      }
    } finally {
      this.running = null;
    }
  }
}
