// The migrations are history: each released file is frozen (its SHA-256 is
// recorded here), the list in src/daemon/db/migrations.ts names every file of
// migrations/, in order, and the daemon finds the folder wherever it runs from.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationFile, migrations, migrationsDir, migrationSql } from '../../../src/daemon/db/migrations.js';

/** The SHA-256 of each released migration file. A new migration adds its line here once it is released. */
const RELEASED: Record<string, string> = {
  '001-schema.sql': 'df43da640c38106bdc07e0c770cf430481de7a2b36478f5e6831bc20ffaab9c8',
  '002-rules.sql': 'b73bf65ebac41ff69d92faf515a55be93e58421b74a85d726c12021d79545a43',
  '003-money-supply.sql': '6ea1138e334e3736bade5c4aa2b97232450b87a50ada4b8b1764f5c386ea0962',
  '004-rules-version.sql': '201f5dd09a539baf764012f1f6ed7f4cf957dc59ce72adab814fd421b5d1f223',
  '005-inbox.sql': '63483e55e1c1850f72f6ce03484def40ed222c46b6407d98211a05220d823ff2',
  '006-presence.sql': '1318be8f73debf579821d04f1436c56e7b36c3ad5011bed79a33940c533ef6f2',
  '007-maximum-bids.sql': '013ada9d7e0b6c3915a9dbe2b4df8d3adcdabecd84134ec985bcff0ed4bae40c',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('migrations', () => {
  it('no released migration has changed', () => {
    const changed = Object.entries(RELEASED)
      .filter(([file, hash]) => sha256(readFileSync(join(migrationsDir(), file), 'utf8')) !== hash)
      .map(([file]) => `migrations/${file} is released and has changed: put it back as it was and add a new migration instead.`);
    expect(changed).toEqual([]);
  });

  it('every migration the daemon applies is recorded as released', () => {
    const unrecorded = migrations
      .filter((m) => RELEASED[migrationFile(m)] === undefined)
      .map((m) => `migrations/${migrationFile(m)} has no recorded hash: once it is released, add '${migrationFile(m)}': '${sha256(migrationSql(m))}' to RELEASED.`);
    expect(unrecorded).toEqual([]);
  });

  it('the list names every file of migrations/, versions 1, 2, 3… in order', () => {
    const files = readdirSync(migrationsDir()).filter((f) => f.endsWith('.sql')).sort();
    expect(migrations.map(migrationFile)).toEqual(files);
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
});
