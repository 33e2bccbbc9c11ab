// Starts and stops one daemon: PostgreSQL (embedded or given, and supervised
// when embedded), migrations, the rules, the closer and the HTTP server; a
// start that fails stops what it had started, and a stop is bounded (shutdown.ts).
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type { SocketLimits } from '../protocol/frames.js';
import { VERSION } from '../version.js';
import { Authenticator, loadAdminToken } from './auth.js';
import { startCloser, type Closer } from './rules/closer.js';
import { openDatabase, type TxSql } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded-postgres.js';
import { buildHttpApp, registeredRoutes } from './http/app.js';
import {
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_SOCKETS_PER_IP,
  DEFAULT_RATE_LIMIT,
  type RateLimitOptions,
} from '../protocol/limit-defaults.js';
import { PeerLimits } from './peer-limits.js';
import { RateBudget } from './rate-budget.js';
import type { DaemonContext } from './context.js';
import { createMetrics } from './metrics.js';
import { migrate } from './db/migrate.js';
import { installRules, type InstalledRules } from './rules/install.js';
import { adminTokenFile, defaultDataDir } from './paths.js';
import { startSocketHub, type SocketHub } from './hub/index.js';
import { drainable } from './http/drain.js';
import { refuseConnect } from './http/errors.js';
import { neverThrowing } from './rules/publisher.js';
import { BidQueue } from './rules/bid-queue.js';
import { placeBid } from './rules/place-bid.js';
import { settledBy, shutdown, SHUTDOWN_BOUND_MS } from './shutdown.js';
import { StartRefusal } from './start-refusal.js';

export { SHUTDOWN_BOUND_MS };

export interface DaemonOptions {
  /** Address to bind; loopback unless told otherwise. */
  host?: string;
  /** Port to bind; 0 picks a free one. */
  port?: number;
  /** An existing PostgreSQL; without it the embedded one is started in dataDir. */
  databaseUrl?: string | undefined;
  /**
   * A direct connection to the same database, for what needs a session of its
   * own: LISTEN and the migration lock. Defaults to databaseUrl; give it when
   * databaseUrl goes through PgBouncer in transaction mode.
   */
  listenDatabaseUrl?: string | undefined;
  dataDir?: string;
  logLevel?: string;
  /** Overrides the admin token file (NEIGHBORBID_ADMIN_TOKEN). */
  adminToken?: string | undefined;
  closerIntervalMs?: number;
  poolMax?: number;
  batchCap?: number;
  /** Where logs go; defaults to stderr. */
  logger?: Logger;
  /** Limits of each WebSocket (defaults in src/protocol/frames.ts). */
  sockets?: Partial<SocketLimits>;
  /** How often watched auctions are checked against the outbox for missed events. */
  catchUpMs?: number;
  /** Socket writes at most this often, in ms (hub.ts, "the flush window"; default NEIGHBORBID_WS_FLUSH_MS or DEFAULT_FLUSH_MS). */
  socketFlushMs?: number;

  /** Plain HTTP connections open at once from one address (default 256; 0: no limit). */
  maxConnectionsPerIp?: number;
  /** WebSockets open at once from one address (default 1,024; 0: no limit). */
  maxSocketsPerIp?: number;
  /** Requests per user token (or per address without one) per window (default 1,000 per 10 s); false: no limit. */
  rateLimit?: RateLimitOptions | false;
  /** Aborting it during the start stops what was started and rejects (a SIGTERM before the daemon listens). */
  signal?: AbortSignal;
}

export interface Daemon {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:7700 */
  url: string;
  host: string;
  port: number;
  daemonId: string;
  adminToken: string;
  adminTokenFile: string;
  databaseUrl: string;
  listenDatabaseUrl: string;
  dataDir: string;
  embedded: EmbeddedPostgres | undefined;
  context: DaemonContext;
  closer: Closer;
  sockets: SocketHub;
  /** Connections per peer address, as counted now. */
  peers: PeerLimits;
  /** Every `METHOD /path` the HTTP server answers, as Fastify registered them (HEAD for each GET too). */
  routes: readonly string[];
  /** Graceful stop: refuse new work, finish in-flight work, then stop PostgreSQL if we started it; within SHUTDOWN_BOUND_MS. */
  close(): Promise<void>;
  /** For a forced exit: stops the embedded PostgreSQL at once (immediate shutdown, nothing committed lost), nothing else. */
  abort(): Promise<void>;
}

/** Starts a daemon and resolves once it is listening. */
export async function startDaemon(options: DaemonOptions = {}): Promise<Daemon> {
  const daemonId = randomBytes(4).toString('hex');
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info', base: { daemon: daemonId } }, pino.destination(2));
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir, log: (message, fields) => log.info(fields ?? {}, message) });
    embedded.supervise({ info: (m) => log.info({ detail: m }, 'embedded PostgreSQL'), warn: (m) => log.warn({ detail: m }, 'embedded PostgreSQL') });
    databaseUrl = embedded.url;
  }

  const listenDatabaseUrl = (!embedded && options.listenDatabaseUrl) || databaseUrl;
  // A separate direct URL means databaseUrl is a transaction pooler (PgBouncer): no named prepared
  // statements (worth ~10% of a bid's CPU on a direct connection) and no pipelining there (docs/scaling.md).
  const pooler = listenDatabaseUrl !== databaseUrl;
  const applicationName = `neighborbid:${daemonId}`;
  const poolMax = options.poolMax ?? 16;
  const sql = openDatabase({ url: databaseUrl, max: poolMax, applicationName, pooler });
  let sockets: SocketHub | undefined;
  let closer: Closer | undefined;
  let app: ReturnType<typeof buildHttpApp> | undefined;
  // Everything started so far, stopped in reverse, within the shutdown bound.
  const cleanupOnFailure = async () => {
    const deadline = Date.now() + SHUTDOWN_BOUND_MS;
    await settledBy(closer?.stop() ?? Promise.resolve(), deadline - 6000);
    await settledBy(app?.close() ?? Promise.resolve(), deadline - 5000);
    await settledBy(sockets?.close() ?? Promise.resolve(), deadline - 4_000);
    await settledBy(sql.end({ timeout: 1 }), deadline - 3000);
    await embedded?.stop(deadline);
  };

  try {
    // Tables and rules together, in one transaction under the migration lock.
    let rules: InstalledRules | undefined;
    const applied = await migrateOver(listenDatabaseUrl, `${applicationName}:migrate`, async (tx) => {
      rules = await installRules(tx, VERSION);
    });
    if (applied.length) log.info({ migrations: applied }, 'applied migrations');
    if (rules && rules.previous !== rules.version) {
      log.info({ rulesVersion: rules.version, replacedVersion: rules.previous }, 'installed rules');
    }

    const tokenFile = adminTokenFile(dataDir);
    const admin = await loadAdminToken(tokenFile, options.adminToken ?? process.env.NEIGHBORBID_ADMIN_TOKEN);
    if (admin.wasEmpty) log.info({ file: tokenFile, mode: '0600' }, 'the admin token file was empty; wrote a fresh admin token to it');
    else if (admin.created) log.info({ file: tokenFile, mode: '0600' }, 'created the admin token');
    options.signal?.throwIfAborted();

    const metrics = createMetrics(sql, applicationName, poolMax);
    sockets = await startSocketHub({
      databaseUrl,
      listenDatabaseUrl,
      pooler,
      applicationName,
      daemonId,
      version: VERSION,
      log,
      metrics: metrics.sockets,
      limits: options.sockets,
      catchUpMs: options.catchUpMs,
      flushMs: options.socketFlushMs,
    });
    const publisher = neverThrowing(sockets.publisher, (err) => log.error({ err }, 'publishing committed events failed'));
    const bids = new BidQueue(sql, publisher, {
      cap: options.batchCap,
      onBatch: (size, ms) => {
        metrics.bidBatchSize.observe(size);
        metrics.bidBatchSeconds.observe(ms / 1000);
      },
      onRetry: () => metrics.dbRetries.inc(),
    });
    let draining = false;
    const context: DaemonContext = {
      sql,
      auth: new Authenticator(sql, admin.token),
      bids,
      publisher,
      metrics,
      daemonId,
      version: VERSION,
      draining: () => draining,
      watching: (auction) => sockets!.presence.watching(auction),
      postgres: () => embedded?.health(),
    };
    const peers = new PeerLimits({
      maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
      maxSocketsPerIp: options.maxSocketsPerIp ?? DEFAULT_MAX_SOCKETS_PER_IP,
    });
    // One budget per user for HTTP requests and bids over the socket.
    const budget = options.rateLimit === false ? undefined : new RateBudget(options.rateLimit ?? DEFAULT_RATE_LIMIT);
    app = buildHttpApp(context, { logger: log, peers, rateLimit: options.rateLimit, rateBudget: budget });
    peers.attach(app.server);
    const drain = drainable(app, () => draining);
    app.server.on('connect', refuseConnect);
    sockets.attach(app, context.auth, () => draining, peers);
    sockets.hub.takeBids({ place: (bid) => placeBid(context, bid), budget, draining: () => draining, log });
    closer = startCloser(sql, publisher, metrics, log, options.closerIntervalMs ?? 250);
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 7700;
    // Fastify's own line would put the address in its message; ours below has it as a field.
    await app.listen({ host, port, listenTextResolver: () => 'HTTP server bound' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new StartRefusal(`${host}:${port} is in use by another program; choose another port with --port (0 picks a free one)`);
      if (err.code === 'EADDRNOTAVAIL') throw new StartRefusal(`${host} is not an address of this machine; choose one with --host`);
      throw err;
    });
    options.signal?.throwIfAborted();
    const bound = (app.server.address() as AddressInfo).port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    log.info({ version: VERSION, url, postgres: embedded ? 'embedded' : 'given', clusterDir: embedded?.clusterDir }, 'listening');
    const plan = connectionPlan(databaseUrl, listenDatabaseUrl, poolMax);
    log.info(plan.fields, plan.message);

    let closing: Promise<void> | undefined;
    return {
      url,
      host,
      port: bound,
      daemonId,
      adminToken: admin.token,
      adminTokenFile: tokenFile,
      databaseUrl,
      listenDatabaseUrl,
      dataDir,
      embedded,
      context,
      closer: closer!,
      sockets,
      peers,
      routes: registeredRoutes(app),
      close() {
        draining = true;
        closing ??= shutdown({ sockets: sockets!, closer: closer!, app: app!, drain, bids, sql, embedded, log });
        return closing;
      },
      async abort() {
        await embedded?.stop(Date.now() + 1500);
      },
    };
  } catch (err) {
    await cleanupOnFailure();
    throw err;
  }
}

// The migration lock is a transaction-scoped advisory lock, which would hold
// through PgBouncer too; the migrations still run on the direct connection,
// so that DDL and the lock never depend on what a pooler allows.
async function migrateOver(url: string, applicationName: string, then: (tx: TxSql) => Promise<void>): Promise<number[]> {
  const direct = openDatabase({ url, max: 1, applicationName });
  try {
    return await migrate(direct, then);
  } finally {
    await direct.end({ timeout: 2 });
  }
}

/** The start line that says which connection serves what (addresses without credentials). */
export function connectionPlan(databaseUrl: string, listenDatabaseUrl: string, poolMax: number): { fields: Record<string, unknown>; message: string } {
  const pool = whereOf(databaseUrl);
  if (listenDatabaseUrl === databaseUrl) {
    return {
      fields: { pool, poolMax, pooler: false, listen: pool },
      message: 'PostgreSQL: bids, reads, NOTIFY, LISTEN and migrations over one URL',
    };
  }
  return {
    fields: { pool, poolMax, pooler: true, listen: whereOf(listenDatabaseUrl) },
    message: 'PostgreSQL: bids, reads and NOTIFY over the pool (taken for a transaction pooler: no prepared statements, no pipelining); LISTEN and migrations over the direct URL',
  };
}

/** host:port/database of a PostgreSQL URL, without user or password. */
function whereOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}
