// The life cycle of the embedded cluster: where a data directory's cluster
// is, its creation, and its `neighborbid` database. The rule that matters: a
// data directory that has held a cluster is never given a new, empty one. Its
// cluster is where `pg-cluster-location` says, else in `<data-dir>/pg`; if it
// is not there, or PostgreSQL's user cannot reach it, the daemon refuses to
// start and says what it found and what is missing. A cluster is created
// whole or not at all: initdb runs in `<place>.new`, which is renamed into
// place, and only then is its password file put in place.
import type { PgLog } from './pg-log.js';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { StartRefusal } from '../../start-refusal.js';
import { closedOnTheWay, SHARED_ROOT, type Binaries, type Ids } from './as-root.js';

export interface Cluster {
  dir: string;
  /** The password of its `postgres` role. */
  password: string;
}

/** The database the daemon uses in its cluster. */
export const DATABASE = 'neighborbid';

const LOCATION = 'pg-cluster-location';
const PASSWORD = 'pg-password';
/** The files that show a data directory has held a cluster (besides LOCATION). */
const EVIDENCE = [PASSWORD, 'admin-token'];

function hasCluster(dir: string): boolean {
  return existsSync(join(dir, 'PG_VERSION'));
}

/** The cluster of a data directory: the one it has held, or a new one if it never held any. */
export async function openCluster(dataDir: string, ids: Ids, bins: Binaries, log: PgLog): Promise<Cluster> {
  const dir = await existingCluster(dataDir, ids);
  if (dir) return { dir, password: await clusterPassword(dataDir, dir, log) };
  const found = EVIDENCE.filter((f) => existsSync(join(dataDir, f)));
  if (found.length > 0) {
    const onlyToken = found.length === 1 && found[0] === 'admin-token';
    throw new StartRefusal(
      `refusing to create a new, empty database in ${dataDir}: it has held one (found ${found.join(' and ')}) ` +
        `but its PostgreSQL cluster is missing (no ${join(dataDir, 'pg', 'PG_VERSION')}, no ${LOCATION})` +
        (onlyToken ? '; if it was used with --database-url, give that again' : '; restore the cluster, or move those files away to start afresh'),
    );
  }
  return createCluster(dataDir, ids, bins, log);
}

/** Where the data directory's cluster is, when it has one; refuses when it names one that is gone or out of reach. */
async function existingCluster(dataDir: string, ids: Ids): Promise<string | undefined> {
  let named: string | undefined;
  try {
    named = (await readFile(join(dataDir, LOCATION), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (named !== undefined && !(named.startsWith('/') && hasCluster(named))) {
    throw new StartRefusal(
      `${join(dataDir, LOCATION)} names ${named || 'nothing'} as the PostgreSQL cluster, but no cluster is there (no PG_VERSION); ` +
        `refusing to create a new, empty database — restore the cluster there, or remove ${LOCATION} and ${PASSWORD} to start afresh`,
    );
  }
  const dir = named ?? join(dataDir, 'pg');
  if (!hasCluster(dir)) return undefined;
  const closed = closedOnTheWay(ids, dir);
  if (closed) {
    throw new StartRefusal(
      `the postgres user cannot reach the PostgreSQL cluster in ${dir}: it may not pass through ${closed}; ` +
        `refusing to start rather than create a new, empty database elsewhere — give it search permission (chmod o+x ${closed})`,
    );
  }
  return dir;
}

/** The cluster's password; one left as `pg-password.new` by a first start cut short after its initdb is put in place. */
async function clusterPassword(dataDir: string, dir: string, log: PgLog): Promise<string> {
  const file = join(dataDir, PASSWORD);
  if (!existsSync(file) && existsSync(`${file}.new`)) {
    await rename(`${file}.new`, file);
    log('finished a cut-short creation of the cluster (its password file was still new)', { clusterDir: dir, file: PASSWORD + '.new' });
  }
  let password = '';
  try {
    password = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!password) {
    throw new StartRefusal(`found the PostgreSQL cluster in ${dir} but not its password (${file} is missing or empty); restore that file`);
  }
  return password;
}

/** Writes a small file whole or not at all. */
async function writeWhole(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

async function createCluster(dataDir: string, ids: Ids, bins: Binaries, log: PgLog): Promise<Cluster> {
  const dir = await placeForNewCluster(dataDir, ids, log);
  const staging = `${dir}.new`;
  // A half-made cluster (a start cut short during initdb) is started over.
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  if (ids) await chown(staging, ids.uid, ids.gid);
  const password = randomBytes(18).toString('base64url');
  await writeWhole(join(dataDir, `${PASSWORD}.new`), `${password}\n`);
  await initdb(bins, staging, password, ids);
  // What is in the way holds no cluster (hasCluster said so): an empty directory at most.
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  if (dir !== join(dataDir, 'pg')) await writeWhole(join(dataDir, LOCATION), `${dir}\n`);
  await rename(join(dataDir, `${PASSWORD}.new`), join(dataDir, PASSWORD));
  log('created a PostgreSQL cluster', { clusterDir: dir });
  return { dir, password };
}

/**
 * `<data-dir>/pg`, unless we are root and the postgres user cannot reach the
 * data directory (e.g. under a /root of mode 0700): then a shared place named
 * after the data directory, which `pg-cluster-location` will name.
 */
async function placeForNewCluster(dataDir: string, ids: Ids, log: PgLog): Promise<string> {
  const closed = closedOnTheWay(ids, dataDir);
  if (!closed) return join(dataDir, 'pg');
  const clusters = join(SHARED_ROOT, 'clusters');
  const dir = join(clusters, createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  if (hasCluster(dir)) {
    throw new StartRefusal(
      `${dir} already holds a PostgreSQL cluster made for ${dataDir}, which no longer names it (no ${LOCATION}); ` +
        `refusing to use it without its password or to replace it — move it away to start afresh`,
    );
  }
  await mkdir(clusters, { recursive: true, mode: 0o755 });
  await chmod(SHARED_ROOT, 0o755);
  await chmod(clusters, 0o755);
  log('the postgres user cannot pass through a directory above the data directory; its cluster will live elsewhere', { closed, dataDir, clusterDir: dir });
  return dir;
}

async function initdb(bins: Binaries, dir: string, password: string, ids: Ids): Promise<void> {
  const pwfile = join(tmpdir(), `neighborbid-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) await chown(pwfile, ids.uid, ids.gid);
  try {
    const r = spawnSync(
      bins.initdb,
      ['--pgdata', dir, '--auth', 'scram-sha-256', '--username', 'postgres', '--pwfile', pwfile, '--encoding', 'UTF8', '--no-locale'],
      { ...ids, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    if (r.status !== 0) throw new Error(`initdb failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Creates the `neighborbid` database when missing. */
export async function ensureDatabase(adminUrl: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT 1 FROM pg_database WHERE datname = ${DATABASE}`;
    if (rows.length === 0) {
      await sql.unsafe(`CREATE DATABASE ${DATABASE}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile (a restart of ours racing an earlier start)
      });
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}
