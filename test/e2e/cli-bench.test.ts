// bench/cli-startup.ts works end to end: it starts its own daemon, runs the
// real CLI, prints the figures and stops what it started. (The figures
// themselves are for people; tests do not judge speed.)
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const SCRIPT = resolve(import.meta.dirname, '../../dist/bench/cli-startup.js');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('bench/cli-startup', () => {
  it('times `neighborbid bid` runs against a daemon it starts and stops', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--runs', '3'], {
      env: { PATH: process.env.PATH, DATABASE_URL: db.url },
      timeout: 120_000,
    });
    const m = /^neighborbid bid, process start to exit, 3 runs against (http:\/\/127\.0\.0\.1:\d+):\n {2}median \d+ ms {3}p90 \d+ ms {3}max \d+ ms\n {2}\(node -e 0 alone, interleaved: median \d+ ms; the CLI adds -?\d+ ms\)\n {2}target: median under 150 ms: (met|NOT met)\n$/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    // The daemon it started is gone.
    await expect(new HttpClient({ url: m![1]! }).health()).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});
