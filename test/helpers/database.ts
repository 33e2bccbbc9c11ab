// A fresh database per test file, on the run's PostgreSQL, dropped afterwards;
// and how a daemon reaches it: straight, or through the run's PgBouncer
// (NB_TEST_PGBOUNCER=1) with a direct URL for LISTEN and migrations.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `nb_test_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(adminUrl, name),
    name,
    async drop() {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** What a daemon on the database at (direct) `url` is given: its pool through PgBouncer when the run has one. */
export function daemonDatabase(url: string): { databaseUrl: string; listenDatabaseUrl?: string } {
  const pool = inject('pgPoolUrl');
  if (!pool) return { databaseUrl: url };
  const u = new URL(url);
  const p = new URL(pool);
  u.host = p.host;
  return { databaseUrl: u.toString(), listenDatabaseUrl: url };
}

/** The same as `neighborbid daemon` flags. */
export function databaseArgs(url: string): string[] {
  const d = daemonDatabase(url);
  return ['--database-url', d.databaseUrl, ...(d.listenDatabaseUrl ? ['--listen-database-url', d.listenDatabaseUrl] : [])];
}

/** Runs SQL text once on its own connection and returns the rows. */
export async function queryOnce<T extends object>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end();
  }
}
