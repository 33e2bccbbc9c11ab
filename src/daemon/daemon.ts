// Starts and stops one daemon: PostgreSQL (embedded or given), migrations, the
// rules, the closer and the HTTP server, and shuts them down in the right order.
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
import { DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_SOCKETS_PER_IP, type RateLimitOptions } from '../protocol/limit-defaults.js';
import { PeerLimits } from './peer-limits.js';
import type { DaemonContext } from './context.js';
import { createMetrics } from './metrics.js';
import { migrate } from './db/migrate.js';
import { installRules, type InstalledRules } from './rules/install.js';
import { adminTokenFile, defaultDataDir } from './paths.js';
import { startSocketHub, type SocketHub } from './hub/index.js';
import { neverThrowing } from './rules/publisher.js';
import { BidQueue } from './rules/bid-queue.js';

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
  /** Plain HTTP connections open at once from one address (default 256; 0: no limit). */
  maxConnectionsPerIp?: number;
  /** WebSockets open at once from one address (default 1,024; 0: no limit). */
  maxSocketsPerIp?: number;
  /** Requests per user token (or per address without one) per window (default 1,000 per 10 s); false: no limit. */
  rateLimit?: RateLimitOptions | false;
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
  /** Graceful stop: refuse new work, finish in-flight work, then stop PostgreSQL if we started it. */
  close(): Promise<void>;
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
    embedded = await startEmbeddedPostgres({ dataDir, log: (fields, message) => log.info(fields, message) });
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
  const cleanupOnFailure = async () => {
    await sockets?.close().catch(() => {});
    await sql.end({ timeout: 2 }).catch(() => {});
    await embedded?.stop().catch(() => {});
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
    if (admin.created) log.info({ file: tokenFile, mode: '0600' }, 'created the admin token');

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
    };
    const peers = new PeerLimits({
      maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
      maxSocketsPerIp: options.maxSocketsPerIp ?? DEFAULT_MAX_SOCKETS_PER_IP,
    });
    const app = buildHttpApp(context, { logger: log, peers, rateLimit: options.rateLimit });
    peers.attach(app.server);
    sockets.attach(app, context.auth, () => draining, peers);
    const closer = startCloser(sql, publisher, metrics, log, options.closerIntervalMs ?? 250);
    const host = options.host ?? '127.0.0.1';
    // Fastify's own line would put the address in its message; ours below has it as a field.
    await app.listen({ host, port: options.port ?? 7700, listenTextResolver: () => 'HTTP server bound' });
    const port = (app.server.address() as AddressInfo).port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    log.info({ version: VERSION, url, postgres: embedded ? 'embedded' : 'given', clusterDir: embedded?.clusterDir }, 'listening');
    const plan = connectionPlan(databaseUrl, listenDatabaseUrl, poolMax);
    log.info(plan.fields, plan.message);

    let closing: Promise<void> | undefined;
    return {
      url,
      host,
      port,
      daemonId,
      adminToken: admin.token,
      adminTokenFile: tokenFile,
      databaseUrl,
      listenDatabaseUrl,
      dataDir,
      embedded,
      context,
      closer,
      sockets,
      peers,
      routes: registeredRoutes(app),
      close() {
        closing ??= (async () => {
          draining = true;
          // Watchers first: going away sends them to reconnect (elsewhere) and resume from their versions.
          await sockets!.closeSockets();
          await closer.stop();
          // Fastify answers new requests 503 and waits for in-flight ones.
          await app.close();
          while (bids.busy > 0) await new Promise((r) => setTimeout(r, 10));
          await sockets!.close();
          await sql.end({ timeout: 5 });
          await embedded?.stop();
          log.info('stopped');
          log.flush?.();
        })();
        return closing;
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
