// The ordered migrations: frozen SQL files in the package's migrations/ folder
// (shipped with it), read when a database lacks them. Append only: a released
// migration is never edited (test/daemon/db/migrations.test.ts holds each
// one's hash); a change to a table is a new file and a new row here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

export interface Migration {
  version: number;
  /** As recorded in schema_migrations. */
  name: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'schema' },
  { version: 2, name: 'rules' },
  { version: 3, name: 'money supply' },
  { version: 4, name: 'rules version' },
  { version: 5, name: 'inbox' },
  { version: 6, name: 'presence' },
  { version: 7, name: 'maximum bids' },
];

/** The folder of the migration files. */
export function migrationsDir(): string {
  const root = packageRoot();
  if (root === undefined) throw new Error('cannot find the neighborbid package, and so its migrations/ folder');
  return join(root, 'migrations');
}

/** A migration's file name: its version in three digits and its name, e.g. 003-money-supply.sql. */
export function migrationFile(m: Migration): string {
  return `${String(m.version).padStart(3, '0')}-${m.name.replaceAll(' ', '-')}.sql`;
}

/** A migration's SQL, as released. */
export function migrationSql(m: Migration): string {
  return readFileSync(join(migrationsDir(), migrationFile(m)), 'utf8');
}
