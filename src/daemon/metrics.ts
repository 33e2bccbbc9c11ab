// Prometheus metrics for one daemon. Each daemon has its own registry so that
// several daemons in one process (tests) never mix their figures. Names follow
// Prometheus's conventions (base units in the name, counters end in _total) so
// that `promtool check metrics` is clean; the process and Node.js metrics keep
// their standard names so that stock dashboards read them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sql } from './db/database.js';

export interface Metrics {
  registry: Registry;
  bids: Counter<'result'>;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  bidBatchSize: Histogram;
  bidBatchSeconds: Histogram;
  dbRetries: Counter;
  settled: Counter;
  sockets: SocketMetrics;
}

/** The WebSocket hub's figures. */
export interface SocketMetrics {
  open: Gauge;
  subscriptions: Gauge;
  /** Event frames handed to sockets (one event to n sockets counts n), public or private. */
  fannedOut: Counter<'kind'>;
  slowConsumerCloses: Counter;
  heartbeatDrops: Counter;
  badFrames: Counter<'code'>;
  /** From the event's `at` (written just before commit) to its frame being handed to the sockets. */
  commitToSendSeconds: Histogram;
  /** The most bytes ever queued for one socket; stays at or below the send buffer limit. */
  sendBufferPeakBytes: Gauge;
  /** Writes to sockets, each carrying the frames one socket got in one event-loop turn. */
  socketWrites: Counter;
  /** Coalesced NOTIFY flushes to other daemons, by result. */
  notifyFlushes: Counter<'result'>;
  /** Notifications received from the database (own and other daemons'). */
  notificationsReceived: Counter;
}

/** Creates the daemon's metrics; `pool` reports connection use as PostgreSQL sees it. */
export function createMetrics(sql: Sql, applicationName: string, poolMax: number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters (promtool refuses them): each is the sum over its
  // `type` label of the gauge without `_total`, e.g. sum(nodejs_active_handles).
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
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
      name: 'nb_bid_batch_size_bids',
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
    sockets: createSocketMetrics(registry),
  };
  new Gauge({
    name: 'nb_db_pool_max_connections',
    help: 'The most database connections this daemon\'s pool opens.',
    registers: [registry],
  }).set(poolMax);
  new Gauge({
    name: 'nb_db_pool_connections',
    help: 'This daemon\'s database connections by state, as PostgreSQL reports them.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
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

function createSocketMetrics(registry: Registry): SocketMetrics {
  const registers = [registry];
  return {
    open: new Gauge({ name: 'nb_ws_sockets', help: 'Open WebSockets.', registers }),
    subscriptions: new Gauge({ name: 'nb_ws_subscriptions', help: 'Auction subscriptions over all sockets.', registers }),
    fannedOut: new Counter({
      name: 'nb_ws_events_fanned_out_total',
      help: 'Event frames handed to sockets (an event sent to n sockets counts n), by kind.',
      labelNames: ['kind'],
      registers,
    }),
    slowConsumerCloses: new Counter({
      name: 'nb_ws_slow_consumer_closes_total',
      help: 'Sockets closed as SLOW_CONSUMER because their send buffer passed its limit.',
      registers,
    }),
    heartbeatDrops: new Counter({
      name: 'nb_ws_heartbeat_drops_total',
      help: 'Sockets dropped for missing a heartbeat pong.',
      registers,
    }),
    badFrames: new Counter({
      name: 'nb_ws_bad_frames_total',
      help: 'Client frames answered with an error frame, by code.',
      labelNames: ['code'],
      registers,
    }),
    commitToSendSeconds: new Histogram({
      name: 'nb_ws_commit_to_send_seconds',
      help: 'Time from an event being written (just before its commit) to its frame being handed to the sockets.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    sendBufferPeakBytes: new Gauge({
      name: 'nb_ws_send_buffer_peak_bytes',
      help: 'The most bytes ever queued in this daemon for one socket.',
      registers,
    }),
    socketWrites: new Counter({
      name: 'nb_ws_socket_writes_total',
      help: 'Coalesced writes to sockets: each carries every frame a socket got in one event-loop turn.',
      registers,
    }),
    notifyFlushes: new Counter({
      name: 'nb_notify_flushes_total',
      help: 'Coalesced NOTIFY flushes telling other daemons of committed events, by result.',
      labelNames: ['result'],
      registers,
    }),
    notificationsReceived: new Counter({
      name: 'nb_notifications_received_total',
      help: 'Notifications received on the LISTEN connection.',
      registers,
    }),
  };
}
