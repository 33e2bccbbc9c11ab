// The whole deployment on one machine: one PostgreSQL (the embedded binaries),
// PgBouncer in transaction pooling, three daemons and HAProxy, all on
// 127.0.0.1 and free ports, each stopped by its pid.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { startDaemonsBehindHaproxy, type DaemonsBehindHaproxy } from './daemons.js';
import { startPgBouncer, type PgBouncer } from './pgbouncer.js';
import { ensurePrograms } from './programs.js';

export interface ClusterOptions {
  /** Where everything lives: PostgreSQL's cluster, configurations, logs. */
  dir: string;
  /** HAProxy's port (default: a free one). */
  port?: number;
  /** More `neighborbid daemon` flags. */
  daemonArgs?: string[];
  log?: (message: string) => void;
}

export interface Cluster extends DaemonsBehindHaproxy {
  postgres: EmbeddedPostgres;
  pgbouncer: PgBouncer;
  adminToken: string;
}

/**
 * Behind a load balancer every client comes from its address, so the daemons'
 * per-address limits would count all clients as one: they are HAProxy's to
 * enforce there (docs/scaling.md). Limits per user token stay on.
 */
export const BEHIND_PROXY_ARGS: readonly string[] = ['--max-connections-per-ip', '0', '--max-sockets-per-ip', '0'];

/** Starts PostgreSQL, PgBouncer, three daemons and HAProxy, in that order; stops what started if one fails. */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const log = o.log ?? (() => {});
  ensurePrograms(['pgbouncer', 'haproxy'], log);
  const started: { stop(): Promise<void> }[] = [];
  try {
    const postgres = await startEmbeddedPostgres({
      dataDir: join(o.dir, 'postgres'),
      log: (message, fields) => log(`${message} ${Object.entries(fields ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`.trim()),
    });
    started.push(postgres);
    const pgbouncer = await startPgBouncer({ dir: join(o.dir, 'pgbouncer'), serverUrl: postgres.adminUrl });
    started.push(pgbouncer);
    log(`PgBouncer (transaction pooling) pid ${pgbouncer.pid} on port ${pgbouncer.port}`);
    const adminToken = `nb_admin_${randomBytes(16).toString('hex')}`;
    const tier = await startDaemonsBehindHaproxy({
      dir: join(o.dir, 'daemons'),
      databaseUrl: pgbouncer.via(postgres.url),
      listenDatabaseUrl: postgres.url,
      adminToken,
      args: [...BEHIND_PROXY_ARGS, ...(o.daemonArgs ?? [])],
      port: o.port,
    });
    return {
      ...tier,
      postgres,
      pgbouncer,
      adminToken,
      async stop() {
        await tier.stop();
        await pgbouncer.stop();
        await postgres.stop();
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => {});
    throw err;
  }
}
