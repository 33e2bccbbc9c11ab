// The neighborbid command line: parses, runs one command, and translates any
// failure once into a one-line message and an exit code (see program.ts).
import { buildProgram } from './program.js';
import { isHelpOrVersion, reportError } from './errors.js';
import { applyColourFlags } from './output.js';
import type { Command } from 'commander';

/** The subcommand words on the command line, e.g. `neighborbid auction create`. */
function commandName(program: Command, args: string[]): string {
  const words = [program.name()];
  let current = program;
  for (const arg of args) {
    if (current.commands.length === 0) break;
    const next = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    // Not a command: the value of a global option such as --url, so look on.
    if (!next) continue;
    words.push(next.name());
    current = next;
  }
  return words.join(' ');
}

async function main(argv: string[]): Promise<void> {
  // `neighborbid auction list | head -1` closes our stdout early; that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const args = argv.slice(2);
  const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined);
  // Before anything paints, errors about the command line included.
  applyColourFlags(flags);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (isHelpOrVersion(err)) {
      // Help asked for is success; help shown because a command was missing is usage.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const command = commandName(program, args.filter((a) => !a.startsWith('-')));
    process.exitCode = reportError(err, {
      json: flags.includes('--json'),
      verbose: flags.includes('--verbose'),
      command,
      ndjson: command === 'neighborbid watch' || command === 'neighborbid inbox',
    });
  }
}

await main(process.argv);
