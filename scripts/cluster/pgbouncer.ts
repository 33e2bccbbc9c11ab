// PgBouncer in transaction pooling in front of one PostgreSQL: every database
// of that server is reachable through it under its own name (the `*` entry),
// with the server's user and password. A daemon's pool goes through it; LISTEN
// and migrations go straight to PostgreSQL (--listen-database-url).
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findProgram } from './programs.js';
import { freePort, startProcess, userIds, type RunningProcess } from './process.js';

export interface PgBouncerOptions {
  /** Directory for its configuration and log (created). */
  dir: string;
  /** A URL of the PostgreSQL server (any database): its host, port, user and password are used. */
  serverUrl: string;
  /** Server connections per database and user (default 20). */
  poolSize?: number;
  port?: number;
}

export interface PgBouncer {
  port: number;
  pid: number;
  process: RunningProcess;
  /** The same URL with PgBouncer's address: the database of `url`, through the pooler. */
  via(url: string): string;
  stop(): Promise<void>;
}

/** Starts PgBouncer (transaction pooling) for the server of `serverUrl`. */
export async function startPgBouncer(o: PgBouncerOptions): Promise<PgBouncer> {
  const binary = findProgram('pgbouncer');
  if (!binary) throw new Error('pgbouncer is not installed (ensurePrograms installs it)');
  const server = new URL(o.serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const port = o.port ?? (await freePort());
  // PgBouncer refuses to run as root: as root, run it as the postgres user.
  const ids = process.getuid?.() === 0 ? (userIds('postgres') ?? userIds('nobody')) : undefined;
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  // As the embedded PostgreSQL does with its data directory: the postgres user must be able to
  // pass through the parent (a mkdtemp directory is 0700) to reach its own files.
  if (ids) await chmod(dirname(o.dir), ((await stat(dirname(o.dir))).mode & 0o777) | 0o011);
  const ini = join(o.dir, 'pgbouncer.ini');
  const users = join(o.dir, 'userlist.txt');
  const logFile = join(o.dir, 'pgbouncer.log');
  await writeFile(ini, pgbouncerIni({ port, serverHost: server.hostname, serverPort: Number(server.port || 5432), users, poolSize: o.poolSize ?? 20, admin: user }), { mode: 0o600 });
  // A plain password lets PgBouncer check clients with SCRAM and log in to the server with it.
  await writeFile(users, `${quoted(user)} ${quoted(password)}\n`, { mode: 0o600 });
  await writeFile(logFile, '', { mode: 0o600, flag: 'a' });
  if (ids) for (const f of [o.dir, ini, users, logFile]) await chown(f, ids.uid, ids.gid);

  const running = await startProcess(binary, [ini], { logFile, ids, port });
  return {
    port,
    pid: running.pid,
    process: running,
    via(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async stop() {
      await running.stop('SIGINT'); // SIGINT: safe shutdown, waits for transactions in flight
    },
  };
}

interface IniOptions {
  port: number;
  serverHost: string;
  serverPort: number;
  users: string;
  poolSize: number;
  admin: string;
}

/** The configuration: transaction pooling, loopback only, no unix socket, SCRAM for clients. */
export function pgbouncerIni(o: IniOptions): string {
  return `;; written by scripts/cluster (docs/scaling.md)
[databases]
* = host=${o.serverHost} port=${o.serverPort}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${o.port}
unix_socket_dir =
pool_mode = transaction
auth_type = scram-sha-256
auth_file = ${o.users}
admin_users = ${o.admin}
default_pool_size = ${o.poolSize}
max_client_conn = 2000
; Named prepared statements do not survive transaction pooling before PgBouncer
; 1.21 (max_prepared_statements); the daemon turns them off on this pool.
; JDBC-style clients send extra_float_digits at startup; let it through.
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
`;
}

function quoted(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
