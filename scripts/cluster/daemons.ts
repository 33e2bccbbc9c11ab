// Three `neighborbid daemon` processes on one database behind HAProxy: each
// daemon's pool through PgBouncer, its LISTEN and migrations direct. A daemon
// can be killed (kill -9 included) and started again on the same port, which
// is what HAProxy's configuration names.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HAPROXY_SERVERS, startHaproxy, type Haproxy } from './haproxy.js';
import { packageRoot } from './paths.js';
import { freePort, startProcess, type RunningProcess } from './process.js';

export interface DaemonsOptions {
  /** Directory for the daemons' data directories and logs (created). */
  dir: string;
  /** The daemons' pool: the database through PgBouncer. */
  databaseUrl: string;
  /** The same database, direct: LISTEN and migrations. */
  listenDatabaseUrl: string;
  adminToken: string;
  /** More `neighborbid daemon` flags for every daemon. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** HAProxy's port (default: a free one). */
  port?: number;
}

export interface ClusterDaemon {
  /** d1, d2, d3: HAProxy's server names. */
  name: string;
  port: number;
  url: string;
  logFile: string;
  /** The running process; undefined while it is stopped. */
  process: RunningProcess | undefined;
  /** Sends the signal (SIGKILL: kill -9) and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts it again, same port and data directory; resolves once it listens. */
  start(): Promise<void>;
  /** Its log since the cluster started. */
  output(): string;
}

export interface DaemonsBehindHaproxy {
  /** HAProxy's URL: what clients use. */
  url: string;
  haproxy: Haproxy;
  daemons: ClusterDaemon[];
  /** Stops HAProxy, then every daemon (SIGTERM, by pid). */
  stop(): Promise<void>;
}

const BIN = join(packageRoot(), 'bin', 'neighborbid.js');

/** Starts three daemons (at once: the migration lock orders them) and HAProxy in front. */
export async function startDaemonsBehindHaproxy(o: DaemonsOptions): Promise<DaemonsBehindHaproxy> {
  await mkdir(o.dir, { recursive: true });
  const daemons: ClusterDaemon[] = [];
  for (let i = 1; i <= HAPROXY_SERVERS; i++) daemons.push(clusterDaemon(`d${i}`, await freePort(), o));
  let haproxy: Haproxy | undefined;
  try {
    await Promise.all(daemons.map((d) => d.start()));
    haproxy = await startHaproxy({ daemonPorts: daemons.map((d) => d.port), logFile: join(o.dir, 'haproxy.log'), port: o.port });
  } catch (err) {
    await Promise.all(daemons.map((d) => d.kill('SIGKILL')));
    throw err;
  }
  const h = haproxy;
  return {
    url: h.url,
    haproxy: h,
    daemons,
    async stop() {
      await h.stop();
      await Promise.all(daemons.map((d) => d.kill('SIGTERM')));
    },
  };
}

function clusterDaemon(name: string, port: number, o: DaemonsOptions): ClusterDaemon {
  const dataDir = join(o.dir, name);
  const logFile = join(o.dir, `${name}.log`);
  const d: ClusterDaemon = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    logFile,
    process: undefined,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      const p = d.process;
      d.process = undefined;
      return p ? p.stop(signal, 30_000) : null;
    },
    async start() {
      if (d.process?.alive()) throw new Error(`${name} is already running (pid ${d.process.pid})`);
      const args = [
        BIN, 'daemon', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir,
        '--database-url', o.databaseUrl, '--listen-database-url', o.listenDatabaseUrl, ...(o.args ?? []),
      ];
      const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, NEIGHBORBID_ADMIN_TOKEN: o.adminToken };
      delete env.DATABASE_URL;
      delete env.NEIGHBORBID_LISTEN_DATABASE_URL;
      delete env.NEIGHBORBID_DATA_DIR;
      d.process = await startProcess(process.execPath, args, { logFile, env, port, timeoutMs: 90_000 });
    },
    output() {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
  };
  return d;
}
