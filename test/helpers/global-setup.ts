// One PostgreSQL for the whole test run: DATABASE_URL when set, else the
// embedded one in a throwaway directory. Each test file makes its own database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/daemon/db/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

let embedded: EmbeddedPostgres | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgAdminUrl', process.env.DATABASE_URL);
    return;
  }
  dir = await mkdtemp(join(tmpdir(), 'nb-test-pg-'));
  // As the bench's server does: the load smoke times deliveries from each commit.
  embedded = await startEmbeddedPostgres({ dataDir: dir, settings: { track_commit_timestamp: 'on' } });
  project.provide('pgAdminUrl', embedded.adminUrl);
}

export async function teardown() {
  await embedded?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
