// What every route and the hub need from the daemon, passed explicitly (no
// globals), so that several daemons can live in one process. It lives at the
// daemon's root so HTTP and the hub both import it without reaching into each
// other's folders.
import type { Authenticator } from './auth.js';
import type { Sql } from './db/database.js';
import type { Publisher } from './rules/publisher.js';
import type { Metrics } from './metrics.js';
import type { BidQueue } from './rules/bid-queue.js';
import type { PostgresHealth } from '../protocol/types.js';

export interface DaemonContext {
  sql: Sql;
  auth: Authenticator;
  bids: BidQueue;
  publisher: Publisher;
  metrics: Metrics;
  daemonId: string;
  version: string;
  /** True once shutdown has begun: new work is refused with SHUTTING_DOWN. */
  draining(): boolean;
  /** How many watch an auction over all daemons, as of the last second (hub/presence.ts). */
  watching(auction: number): number;
  /** The supervised embedded PostgreSQL's state; undefined with --database-url. */
  postgres(): PostgresHealth | undefined;
}
