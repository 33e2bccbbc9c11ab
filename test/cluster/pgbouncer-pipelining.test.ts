// The daemon's pool through PgBouncer in transaction mode (`pooler: true`):
// many queries at once on few connections, with and without parameters, in
// and out of transactions, all answered. The driver's default pipelining
// loses queries through Debian 12's PgBouncer 1.18 (database.ts, noPipelining):
// this mix hung within seconds with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Sql } from '../../src/daemon/db/database.js';
import { createTestDatabase, daemonDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let sql: Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  const { databaseUrl, listenDatabaseUrl } = daemonDatabase(db.url);
  expect(listenDatabaseUrl, 'the pool goes through PgBouncer').toBe(db.url);
  sql = openDatabase({ url: databaseUrl, max: 2, pooler: true });
});
afterAll(async () => {
  await sql?.end({ timeout: 2 });
  await db?.drop();
});

describe('a pool through PgBouncer in transaction mode', () => {
  it('answers every query of many at once on two connections, with and without parameters, in and out of transactions', async () => {
    const rounds = 300;
    const workers = 8;
    let answered = 0;
    const where = sql`WHERE ${1} = 1`;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = 0; i < rounds; i++) {
          const [a, b, c, d] = await Promise.all([
            sql<{ one: number }[]>`SELECT 1 AS one`,
            sql<{ x: number }[]>`SELECT ${i}::int AS x`,
            sql<{ y: number }[]>`SELECT ${w}::int + ${i}::int AS y ${where}`,
            i % 50 === 0 ? sql.begin(async (tx) => (await tx<{ z: number }[]>`SELECT ${i}::int AS z`)[0]!.z) : Promise.resolve(i),
          ]);
          expect([a[0]!.one, b[0]!.x, c[0]!.y, d]).toEqual([1, i, w + i, i]);
          answered++;
        }
      }),
    );
    expect(answered).toBe(workers * rounds);
  });
});
