// Applies pending migrations in one transaction under an advisory lock, so two
// daemons starting at once neither race nor apply a migration twice. The lock
// is a transaction-level one (pg_advisory_xact_lock), so it also holds through
// PgBouncer in transaction mode. What must follow the migrations atomically
// (the rules' install) runs in the same transaction, under the same lock.
import type { Sql, TxSql } from './database.js';
import { migrationSql, migrations } from './migrations.js';

// An arbitrary constant shared by every neighborbid daemon.
const MIGRATION_LOCK = 7_700_001;

/**
 * Brings the database schema up to date, then runs `then` in the same
 * transaction; returns the versions it applied.
 */
export async function migrate(sql: Sql, then?: (tx: TxSql) => Promise<void>): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations`;
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.unsafe(migrationSql(m));
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      applied.push(m.version);
    }
    await then?.(tx as TxSql);
    return applied;
  }) as Promise<number[]>;
}

/** The versions this daemon knows that the database has not applied (all of them on an empty database). */
export async function pendingMigrations(sql: Sql): Promise<number[]> {
  const [table] = await sql<{ present: boolean }[]>`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`;
  const rows = table!.present ? await sql<{ version: number }[]>`SELECT version FROM schema_migrations` : [];
  const done = new Set(rows.map((r) => r.version));
  return migrations.filter((m) => !done.has(m.version)).map((m) => m.version);
}
