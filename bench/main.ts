// `npm run bench -- <scenario> [flags]` and `neighborbid bench <scenario>`: parses
// the flags, opens a fresh database, runs the scenario, prints its markdown (or
// JSON with --json), writes the JSON report with its charts (SVG) beside it,
// and exits non-zero on a problem.
// Everything it starts is stopped at the end, on Ctrl-C too. The CLI loads this
// file by its compiled path (src/cli/commands/bench.ts), so runBench's signature
// is the seam between them.
import { pathToFileURL } from 'node:url';
import { writeCharts } from './charts/render.js';
import { parseFlags, planRun, usageText, UsageError, type Flags, type Plan } from './command-line.js';
import { installExitHook, openBenchDatabase, stopAll } from './harness/daemons.js';
import { Progress } from './harness/progress.js';
import { compareReports, writeReport, type Report } from './harness/report.js';

let interrupted = false;

/**
 * Runs one scenario from command-line arguments (without node and script);
 * resolves with the exit code. `invokedAs` names the command in the usage text.
 */
export async function runBench(argv: string[], invokedAs = 'npm run bench --'): Promise<number> {
  const usage = usageText(invokedAs);
  let parsed;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const { values: f, positionals } = parsed;
  if (f.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  let plan: Plan;
  try {
    plan = await planRun(f, positionals);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`neighborbid bench: ${err.message}\n\n${usage}\n`);
    return 2;
  }
  return whileOwningProcesses(() => runOnFreshDatabase(plan, f));
}

// Stops what the bench started however the run ends: at its end, on Ctrl-C or
// SIGTERM, and (the exit hook) when the process dies without stopping it.
async function whileOwningProcesses(body: () => Promise<number>): Promise<number> {
  installExitHook();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}; stopping everything it started\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// A fresh database for the run, the scenario on it, then the report printed and written.
async function runOnFreshDatabase(plan: Plan, f: Flags): Promise<number> {
  const progress = new Progress(Boolean(f.quiet));
  const databaseUrl = f['database-url'] ?? process.env.DATABASE_URL;
  progress.step(databaseUrl ? `making a fresh database on ${new URL(databaseUrl).host}` : 'starting an embedded PostgreSQL in a temporary directory');
  const db = await openBenchDatabase(databaseUrl);
  let report: Report;
  try {
    report = await plan.run({ databaseUrl: db.url, progress, serverPid: db.serverPid });
  } finally {
    progress.step('stopping everything the bench started');
    await db.close();
  }
  const file = await writeReport(report, f['report-dir']);
  const charts = await writeCharts(report, file, f['charts-dir']);
  const comparison = plan.old ? compareReports(plan.old, report) : '';
  if (f.json) process.stdout.write(`${JSON.stringify(plan.old ? { ...report, comparison } : report, null, 2)}\n`);
  else process.stdout.write(`${report.markdown}\n${comparison ? `${comparison}\n` : ''}Report: ${file}\n${charts.length ? `Charts: ${charts.join(', ')}\n` : ''}`);
  return report.problems.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // After Ctrl-C the run fails as its processes go away; that is not news.
      if (!interrupted) process.stderr.write(`neighborbid bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      void stopAll().finally(() => process.exit(interrupted ? 130 : 1));
    },
  );
}
