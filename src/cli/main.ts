// The neighborbid command line. Each command group lives in its own file under
// commands/ and is loaded only when it runs, so a one-shot command starts fast.
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { registerDaemon } from './commands/daemon.js';
import { registerDemo } from './commands/demo.js';
import { registerTui } from './commands/tui.js';

const EXIT_CODES = `
Exit codes:
  0  ok
  1  unexpected error
  2  usage: a bad flag or argument
  3  rejected by a rule (the code, e.g. BID_TOO_LOW, is printed)
  4  not found
  5  authentication: missing or wrong token
  6  the daemon (or its database) cannot be reached`;

export function buildProgram(): Command {
  const program = new Command('neighborbid')
    .description('A terminal auction toolkit: a race-free bidding daemon on PostgreSQL, its CLI and TUI.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('--verbose', 'show stack traces of unexpected errors'))
    .addHelpText('after', EXIT_CODES)
    .showSuggestionAfterError(true)
    .exitOverride();
  registerDaemon(program);
  registerTui(program);
  registerDemo(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not failures; everything else commander rejects is usage.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const verbose = argv.includes('--verbose');
    process.stderr.write(`neighborbid: ${verbose && err instanceof Error ? err.stack : String((err as Error)?.message ?? err)}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
