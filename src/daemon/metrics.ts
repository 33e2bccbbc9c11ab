// Prometheus metrics for one daemon. Each daemon has its own registry so that
// several daemons in one process (tests) never mix their figures.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sql } from './database.js';

export interface Metrics {
  registry: Registry;
  bids: Counter<'result'>;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  bidBatchSize: Histogram;
  bidBatchSeconds: Histogram;
  dbRetries: Counter;
  settled: Counter;
}

/** Creates the daemon's metrics; `pool` reports connection use as PostgreSQL sees it. */
export function createMetrics(sql: Sql, applicationName: string, poolMax: number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nb_' });
  const m: Metrics = {
    registry,
    bids: new Counter({
      name: 'nb_bids_total',
      help: 'Bids answered, by result: accepted or the rejection code.',
      labelNames: ['result'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'nb_http_request_duration_seconds',
      help: 'HTTP request latency.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    bidBatchSize: new Histogram({
      name: 'nb_bid_batch_size',
      help: 'Bids per group-committed transaction.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    bidBatchSeconds: new Histogram({
      name: 'nb_bid_batch_duration_seconds',
      help: 'Time from a batch leaving the queue to its commit.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    dbRetries: new Counter({
      name: 'nb_db_retries_total',
      help: 'Transactions retried after a deadlock or serialization failure.',
      registers: [registry],
    }),
    settled: new Counter({
      name: 'nb_auctions_settled_total',
      help: 'Auctions settled by this daemon\'s closer.',
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'nb_db_pool_connections',
    help: 'This daemon\'s database connections by state, as PostgreSQL reports them.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      this.set({ state: 'max' }, poolMax);
      try {
        const rows = await sql<{ state: string | null; n: number }[]>`
          SELECT state, count(*)::bigint AS n FROM pg_stat_activity
           WHERE application_name = ${applicationName} AND pid <> pg_backend_pid()
           GROUP BY state`;
        for (const r of rows) this.set({ state: r.state ?? 'unknown' }, r.n);
      } catch {
        // The database is away; the health endpoint says so.
      }
    },
  });
  return m;
}
