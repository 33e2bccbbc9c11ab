#!/usr/bin/env node
// Runs the reliability tests and prints the table of docs/reliability.md from
// what they report once their assertions have passed (test/helpers/tally.ts).
//   npm run reliability:table              the short versions (as in npm test)
//   npm run test:soak                      the long versions (NB_SOAK=1), and the same table
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RELIABILITY_TESTS = [
  'test/e2e/bank.test.ts',
  'test/e2e/crash-load.test.ts',
  'test/e2e/postgres-restart-load.test.ts',
  'test/e2e/postgres-supervision.test.ts',
  'test/soak/disk-full.test.ts',
  'test/e2e/shutdown.test.ts',
  'test/e2e/shutdown-bound.test.ts',
  'test/e2e/data-dir-lock.test.ts',
  'test/daemon/db/embedded-cluster.test.ts',
  'test/daemon/db/database.test.ts',
  'test/daemon/http/fuzz.test.ts',
  'test/daemon/hub/frame-fuzz.test.ts',
  'test/daemon/http/limits.test.ts',
  'test/daemon/access.test.ts',
  'test/daemon/rules/model-property.test.ts',
];

const soak = process.argv.includes('--soak');
// test/soak needs root and is left out of `npm test` (vitest.config.ts); only the long run has it.
const tests = RELIABILITY_TESTS.filter((t) => soak || !t.startsWith('test/soak/'));
const dir = mkdtempSync(join(tmpdir(), 'nb-reliability-'));
const log = join(dir, 'tally.ndjson');
try {
  const started = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', ...tests], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NB_RELIABILITY_LOG: log, ...(soak ? { NB_SOAK: '1' } : {}) },
  });
  if (run.status !== 0) {
    process.stderr.write('\nreliability tests failed: no table\n');
    process.exitCode = run.status ?? 1;
  } else {
    printTable(started);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function printTable(started) {
  const rows = (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [])
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => RELIABILITY_TESTS.indexOf(a.file) - RELIABILITY_TESTS.indexOf(b.file) || a.i - b.i);
  const cell = (s) => String(s).replace(/\|/g, '\\|');
  const n = (x) => x.toLocaleString('en-US');
  const lines = [
    `Run of ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${soak ? 'long (npm run test:soak)' : 'short (npm test)'} versions, ${Math.round((Date.now() - started) / 1000)} s:`,
    '',
    '| fault or bad input | operations | what was checked | lost |',
    '|---|---:|---|---:|',
    ...rows.map((r) => `| ${cell(r.fault)} | ${n(r.operations)} | ${cell(r.checked)} | ${n(r.lost)} |`),
    `| **total** | **${n(rows.reduce((s, r) => s + r.operations, 0))}** | | **${n(rows.reduce((s, r) => s + r.lost, 0))}** |`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
