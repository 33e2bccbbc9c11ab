// One PostgreSQL for the whole test run: DATABASE_URL when set, else the
// embedded one in a throwaway directory. Each test file makes its own database.
// With NB_TEST_PGBOUNCER=1 (npm run test:cluster), a PgBouncer in transaction
// pooling in front of it too: test daemons' pools then go through it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';
import { startPgBouncer, type PgBouncer } from '../../scripts/cluster/pgbouncer.js';
import { ensurePrograms } from '../../scripts/cluster/programs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    /** PgBouncer's URL for the same server (NB_TEST_PGBOUNCER=1), else ''. */
    pgPoolUrl: string;
  }
}

let embedded: EmbeddedPostgres | undefined;
let pgbouncer: PgBouncer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = await mkdtemp(join(tmpdir(), 'nb-test-pg-'));
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    // As the bench's server does: the load smoke times deliveries from each commit.
    embedded = await startEmbeddedPostgres({ dataDir: dir, settings: { track_commit_timestamp: 'on' } });
    adminUrl = embedded.adminUrl;
  }
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgPoolUrl', '');
  if (process.env.NB_TEST_PGBOUNCER === '1') {
    ensurePrograms(['pgbouncer'], (m) => process.stderr.write(`${m}\n`));
    pgbouncer = await startPgBouncer({ dir: join(dir, 'pgbouncer'), serverUrl: adminUrl });
    project.provide('pgPoolUrl', pgbouncer.via(adminUrl));
  }
}

export async function teardown() {
  await pgbouncer?.stop();
  await embedded?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
