// Issue 14, defect 1: a data directory is never silently given a new, empty
// database. The cluster named by `pg-cluster-location` is followed wherever it
// is; a data directory that has held a cluster (a password file, a location
// file, an admin token) but has lost it is refused with one line naming what
// was found and what is missing; and as root, a permission change that hides
// the cluster from the postgres user neither moves nor deletes it.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/daemon/db/embedded-postgres.js';
import { queryOnce as query } from '../../helpers/database.js';
import { tempDir } from '../../helpers/daemon.js';
import { clusterDirOf, removeDataDir } from '../../helpers/processes.js';
import { report } from '../../helpers/tally.js';

const isRoot = process.getuid?.() === 0;
const cleanups: (() => Promise<void>)[] = [];
let logs: string[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  logs = [];
});

/** A temp directory the postgres user may pass through (as root), removed after the test with any cluster in it. */
async function place(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  await chmod(dir.path, 0o711);
  cleanups.push(() => dir.remove());
  return dir.path;
}

async function start(dataDir: string): Promise<EmbeddedPostgres> {
  const pg = await startEmbeddedPostgres({ dataDir, log: (m) => logs.push(m) });
  cleanups.push(() => pg.stop());
  return pg;
}

/** Starts a cluster in dataDir holding one row, and stops it. */
async function seed(dataDir: string): Promise<void> {
  cleanups.push(() => removeDataDir(dataDir));
  const pg = await start(dataDir);
  await query(pg.url, "CREATE TABLE kept (who text); INSERT INTO kept VALUES ('alice')");
  await pg.stop();
}

function refusal(dataDir: string): Promise<string> {
  return startEmbeddedPostgres({ dataDir, log: (m) => logs.push(m) }).then(
    async (pg) => {
      await pg.stop();
      throw new Error('started where it should have refused');
    },
    (err: Error) => err.message,
  );
}

describe('the cluster of a data directory', () => {
  it('follows pg-cluster-location to a cluster kept elsewhere', async () => {
    const dataDir = join(await place('nb-cluster-'), 'data');
    await seed(dataDir);
    const elsewhere = join(await place('nb-cluster-elsewhere-'), 'cluster');
    await rename(clusterDirOf(dataDir), elsewhere);
    await writeFile(join(dataDir, 'pg-cluster-location'), `${elsewhere}\n`, { mode: 0o600 });

    logs = [];
    const pg = await start(dataDir);
    expect(pg.clusterDir).toBe(elsewhere);
    expect(await query(pg.url, 'SELECT who FROM kept')).toEqual([{ who: 'alice' }]);
    expect(logs.join('\n')).not.toMatch(/created a PostgreSQL cluster/);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(false);
  });

  it('keeps its cluster across the permission change of issue 14 (mkdir -m 700, start, chmod 755, start)', async () => {
    const parent = await place('nb-cluster-perm-');
    await chmod(parent, 0o700);
    const dataDir = join(parent, 'data');
    await seed(dataDir);
    // As root the postgres user cannot pass the 0700 parent: the cluster went to the shared place.
    if (isRoot) expect(existsSync(join(dataDir, 'pg-cluster-location'))).toBe(true);
    await chmod(parent, 0o755);

    logs = [];
    const pg = await start(dataDir);
    expect(await query(pg.url, 'SELECT who FROM kept')).toEqual([{ who: 'alice' }]);
    expect(logs.join('\n')).not.toMatch(/created a PostgreSQL cluster/);
    report({
      fault: `permission change of the data directory's parent (mkdir -m 700, start, chmod 755, start)${isRoot ? ', as root' : ''}`,
      operations: 3,
      checked: `two starts and a query: the second start followed ${isRoot ? 'pg-cluster-location to the shared cluster' : 'its cluster'} and found the row written before the change; no cluster created`,
      lost: 0,
    });
  });

  it('refuses to create a new cluster in a data directory that has held one, naming what it found and what is missing', async () => {
    const dataDir = join(await place('nb-cluster-lost-'), 'data');
    await seed(dataDir);
    await mkdir(join(dataDir, '..', 'moved'));
    await rename(clusterDirOf(dataDir), join(dataDir, '..', 'moved', 'pg'));
    await writeFile(join(dataDir, 'admin-token'), 'nb_admin_kept\n', { mode: 0o600 });
    const before = (await readdir(dataDir)).sort();

    logs = [];
    const message = await refusal(dataDir);
    expect(message).not.toContain('\n');
    expect(message).toContain('pg-password');
    expect(message).toContain('admin-token');
    expect(message).toContain(join(dataDir, 'pg', 'PG_VERSION'));
    expect(message).toMatch(/refus/);
    expect(logs.join('\n')).not.toMatch(/created a PostgreSQL cluster/);
    expect((await readdir(dataDir)).sort()).toEqual(before); // nothing made, nothing removed
  });

  it('refuses when pg-cluster-location names a place with no cluster', async () => {
    const dataDir = join(await place('nb-cluster-named-'), 'data');
    await mkdir(dataDir, { mode: 0o700 });
    const gone = join(await place('nb-cluster-gone-'), 'cluster');
    await writeFile(join(dataDir, 'pg-cluster-location'), `${gone}\n`, { mode: 0o600 });

    const message = await refusal(dataDir);
    expect(message).not.toContain('\n');
    expect(message).toContain('pg-cluster-location');
    expect(message).toContain(gone);
    expect(existsSync(gone)).toBe(false);
    expect(existsSync(join(dataDir, 'pg'))).toBe(false);
  });

  it('refuses a data directory that only has an admin token (used with --database-url)', async () => {
    const dataDir = join(await place('nb-cluster-token-'), 'data');
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(join(dataDir, 'admin-token'), 'nb_admin_kept\n', { mode: 0o600 });
    const message = await refusal(dataDir);
    expect(message).toContain('admin-token');
    expect(message).toContain('--database-url');
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(false);
  });

  it('starts a fresh data directory, and again after an initdb was cut short', async () => {
    const dataDir = join(await place('nb-cluster-fresh-'), 'data');
    cleanups.push(() => removeDataDir(dataDir));
    // What an interrupted first start leaves: a half-made cluster and no password file yet.
    await mkdir(join(dataDir, 'pg.new'), { recursive: true });
    await writeFile(join(dataDir, 'pg.new', 'half'), '');
    const pg = await start(dataDir);
    expect(await query(pg.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(logs.join('\n')).toMatch(/created a PostgreSQL cluster/);
    expect(existsSync(join(dataDir, 'pg.new'))).toBe(false);
  });
});

// Only root runs PostgreSQL as another user, whose view of the directories can change under it.
describe.runIf(isRoot)('as root', () => {
  it('refuses, and keeps the cluster, when a permission change hides it from the postgres user', async () => {
    const parent = await place('nb-cluster-hidden-');
    const dataDir = join(parent, 'data');
    await seed(dataDir);
    expect(clusterDirOf(dataDir)).toBe(join(dataDir, 'pg'));
    await chmod(parent, 0o700);

    const message = await refusal(dataDir);
    expect(message).not.toContain('\n');
    expect(message).toContain(parent);
    expect(message).toMatch(/postgres user/);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'pg-cluster-location'))).toBe(false);

    await chmod(parent, 0o711);
    const pg = await start(dataDir);
    expect(await query(pg.url, 'SELECT who FROM kept')).toEqual([{ who: 'alice' }]);
    report({
      fault: 'permission change hiding the cluster from the postgres user (chmod 700 of the parent), as root',
      operations: 4,
      checked: 'the start in between refused in one line naming the closed directory, creating and removing nothing; after chmod back the row written before was there',
      lost: 0,
    });
  });
});
