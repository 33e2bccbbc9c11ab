// `neighborbid bench <scenario> [flags]`: the bench suite, loaded only when it
// runs. Its flags are the bench's own, passed through untouched; the bench
// prints its scenarios and flags itself (`neighborbid bench --help`).
import type { Command } from 'commander';
import { examples } from '../help-text.js';

// The compiled bench entry, found beside dist/src at run time. A string, so
// that TypeScript does not follow it: src/ never imports bench/.
const BENCH_MAIN = new URL('../../../bench/main.js', import.meta.url).href;

/** The bench entry's one export (bench/main.ts). */
interface BenchEntry {
  runBench(argv: string[], invokedAs: string): Promise<number>;
}

const HELP = `
Scenarios: hot, spread, baseline, race and load; neighborbid bench --help
describes each and lists every scenario's flags.

Each run starts its own PostgreSQL (embedded in a temporary directory, or a
fresh database on --database-url / DATABASE_URL) and daemon processes on
loopback, prints a markdown report (--json: JSON) and writes it to
bench/reports/, and stops everything it started. What the figures mean:
docs/bench.md.
Exit codes: 0 every check passed, 1 a check failed, 2 bad flags.`;

const EXAMPLES = examples('neighborbid bench race', 'neighborbid bench hot --duration 5 --json', 'neighborbid bench load --sockets per-auction');

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure the daemon: the double-spend race, throughput against raw SQL, 1,000 watchers under load')
    .argument('[scenario]', 'hot, spread, baseline, race or load')
    .argument('[flags...]', "the scenario's flags (neighborbid bench --help lists them)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', HELP)
    .addHelpText('after', EXAMPLES)
    .action(async (_scenario: unknown, _flags: unknown, _opts: unknown, command: Command) => {
      // --json is also a global flag, so the program took it; the bench wants it back.
      const argv = [...command.args, ...(command.optsWithGlobals().json ? ['--json'] : [])];
      const { runBench } = (await import(BENCH_MAIN)) as BenchEntry;
      process.exitCode = await runBench(argv, 'neighborbid bench');
      // The bench prints its own help (every scenario's flags); the examples end it, as for every command.
      if (process.exitCode === 0 && argv.some((a) => a === '--help' || a === '-h')) process.stdout.write(`${EXAMPLES}\n`);
    });
}
