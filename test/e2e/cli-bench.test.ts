// bench/probes/cli-startup.ts works end to end: it starts its own daemon, runs the
// real CLI, prints the figures and stops what it started. And `neighborbid
// bench` runs the bench suite from the CLI. (The figures themselves are for
// people; tests do not judge speed.)
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/client/http-client.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { tempDir } from '../helpers/daemon.js';

const SCRIPT = resolve(import.meta.dirname, '../../dist/bench/probes/cli-startup.js');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('bench/probes/cli-startup', () => {
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

describe('neighborbid bench', () => {
  it('--help lists every scenario and its flags', async () => {
    const r = await runCli(['bench', '--help'], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: neighborbid bench <scenario> \[flags\]/);
    for (const scenario of ['hot', 'spread', 'baseline', 'race', 'load']) expect(r.stdout).toMatch(new RegExp(`^  ${scenario} +\\S`, 'm'));
    expect(r.stdout).toContain('--sockets <mode>');
    for (const flag of ['--rate <n>', '--rate-sweep [list]', '--charts-dir <dir>']) expect(r.stdout).toContain(flag);
  });

  it('runs a race from the CLI process, reports it as JSON and drops the database it made', async () => {
    const benchDatabases = async () => {
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        return (await sql<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'nb_bench_%'`).map((r) => r.datname);
      } finally {
        await sql.end();
      }
    };
    const before = await benchDatabases();
    const reports = await tempDir('nb-bench-reports-');
    try {
      const r = await runCli(['bench', 'race', '--users', '10', '--per-user', '3', '--no-baseline', '--quiet', '--json', '--report-dir', reports.path], {
        DATABASE_URL: db.url,
      });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { scenario: string; problems: string[]; details: { runs: { answers: Record<string, number>; violations: unknown[] }[] } };
      expect(report.scenario).toBe('race');
      expect(report.problems).toEqual([]);
      expect(report.details.runs[0]!.answers).toEqual({ accepted: 10, INSUFFICIENT_FUNDS: 20 });
      expect(report.details.runs[0]!.violations).toEqual([]);
      expect((await benchDatabases()).filter((name) => !before.includes(name))).toEqual([]);
    } finally {
      await reports.remove();
    }
  });

  it('exits 2 on an unknown scenario or a bad flag', async () => {
    const unknown = await runCli(['bench', 'nope'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown scenario "nope"');
    const bad = await runCli(['bench', 'load', '--sockets', 'some'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sockets is multiplexed or per-auction');
    const rate = await runCli(['bench', 'load', '--rate', '0'], {});
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain('--rate must be a whole number from 1 to 100000');
    const both = await runCli(['bench', 'load', '--rate', '100', '--rate-sweep'], {});
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --rate or --rate-sweep, not both');
    const sweep = await runCli(['bench', 'load', '--rate-sweep', '100,x'], {});
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toContain('--rate-sweep takes up to 20 comma-separated rates');
  });
});
