// The deployment under test (npm run test:cluster): a fresh database on the
// run's PostgreSQL, three spawned daemons whose pools go through the run's
// PgBouncer (transaction pooling) with LISTEN and migrations direct, and
// HAProxy in front, running docs/haproxy.cfg. One per test file.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { openDatabase, type Sql } from '../../src/daemon/db/database.js';
import { BEHIND_PROXY_ARGS } from '../../scripts/cluster/cluster.js';
import { startDaemonsBehindHaproxy, type ClusterDaemon, type DaemonsBehindHaproxy } from '../../scripts/cluster/daemons.js';
import { ensurePrograms } from '../../scripts/cluster/programs.js';
import { createTestDatabase, daemonDatabase, type TestDatabase } from './database.js';
import { tempDir } from './daemon.js';
import { metric } from './metrics.js';
import { waitFor } from './poll.js';
import type { Admin } from './seed.js';

export interface TestCluster extends Admin {
  db: TestDatabase;
  /** HAProxy's URL: where every client of the test goes. */
  url: string;
  adminToken: string;
  /** HttpClient with the admin token, through HAProxy. */
  admin: HttpClient;
  tier: DaemonsBehindHaproxy;
  daemons: ClusterDaemon[];
  /** A direct pool on the database, for checks. */
  sql: Sql;
  stop(): Promise<void>;
}

/** The daemons run with no per-address or per-token limits: every client comes from HAProxy's address, and the tests load them. */
export const CLUSTER_DAEMON_ARGS: readonly string[] = [...BEHIND_PROXY_ARGS, '--rate-limit', '0'];

/** Starts the cluster for one file; needs the run's PgBouncer (npm run test:cluster, NB_TEST_PGBOUNCER=1). */
export async function startTestCluster(args: string[] = []): Promise<TestCluster> {
  if (!inject('pgPoolUrl')) throw new Error('the cluster tests need PgBouncer: run them with npm run test:cluster (NB_TEST_PGBOUNCER=1)');
  ensurePrograms(['haproxy']);
  const db = await createTestDatabase();
  const dir = await tempDir('nb-cluster-');
  const adminToken = `nb_admin_cluster_${randomBytes(8).toString('hex')}`;
  const urls = daemonDatabase(db.url);
  let tier: DaemonsBehindHaproxy;
  try {
    tier = await startDaemonsBehindHaproxy({
      dir: dir.path,
      databaseUrl: urls.databaseUrl,
      listenDatabaseUrl: urls.listenDatabaseUrl!,
      adminToken,
      args: [...CLUSTER_DAEMON_ARGS, ...args],
    });
  } catch (err) {
    await db.drop();
    await dir.remove();
    throw err;
  }
  const sql = openDatabase({ url: db.url, max: 2 });
  return {
    db,
    url: tier.url,
    adminToken,
    admin: new HttpClient({ url: tier.url, token: adminToken }),
    tier,
    daemons: tier.daemons,
    sql,
    async stop() {
      await tier.stop();
      await sql.end({ timeout: 2 });
      await db.drop();
      await dir.remove();
    },
  };
}

/** Registers hooks that give the file its own cluster. */
export function useCluster(args: string[] = []): TestCluster {
  const fixture = {} as TestCluster;
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startTestCluster(args);
    Object.assign(fixture, cluster);
  });
  afterAll(() => cluster?.stop());
  return fixture;
}

/** Bids a daemon has taken (every outcome), from its own /metrics. */
export async function bidsTaken(daemon: ClusterDaemon): Promise<number> {
  const text = await (await fetch(`${daemon.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('nb_bids_total'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Open WebSockets on one daemon, from its own /metrics. */
export function socketsOn(daemon: ClusterDaemon): Promise<number> {
  return metric(daemon.url, 'nb_ws_sockets');
}

/** Waits until HAProxy has every daemon up (its status page), e.g. before a test that needs all three. */
export async function allUp(cluster: TestCluster, timeoutMs = 30_000): Promise<void> {
  const up = async () => {
    const csv = await (await fetch(`${cluster.tier.haproxy.statsUrl};csv`)).text();
    const rows = csv.split('\n').map((l) => l.split(',')).filter((f) => f[0] === 'daemons' && /^d\d$/.test(f[1] ?? ''));
    return rows.length === cluster.daemons.length && rows.every((f) => f[17] === 'UP');
  };
  await waitFor(up, timeoutMs, 'HAProxy to have every daemon up');
}

/** The daemon's id (what its `welcome` frames say), asked of it directly. */
export async function daemonIdOf(daemon: ClusterDaemon): Promise<string> {
  const health = (await (await fetch(`${daemon.url}/v1/health`)).json()) as { daemonId: string };
  return health.daemonId;
}
