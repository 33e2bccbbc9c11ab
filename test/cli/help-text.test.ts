// The exit codes and retries --help describes come from the error table: this
// reads the help as a person sees it and compares it with the table.
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { errorCodes, ExitCode, exitCodeMeanings, type ErrorCode } from '../../src/protocol/errors.js';

/** The full help of a command, with the text added after it. */
function helpOf(command: Command): string {
  let out = '';
  command.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  command.outputHelp();
  return out;
}

function find(program: Command, name: string): Command {
  return program.commands.find((c) => c.name() === name)!;
}

describe('--help', () => {
  it('lists every exit code with its meaning and exactly the error codes that leave with it', () => {
    const help = helpOf(buildProgram());
    const section = help.slice(help.indexOf('Exit codes:'), help.indexOf('With --json'));
    // Lines wrap; an exit code's entry runs until the next one starts.
    const entries = section.split(/\n(?= {2}\d {2})/).slice(1).map((e) => e.replace(/\s+/g, ' ').trim());
    expect(entries.map((e) => Number(e.split(' ')[0]))).toEqual(Object.values(ExitCode));
    for (const entry of entries) {
      const exit = Number(entry.split(' ')[0]) as ExitCode;
      expect(entry.startsWith(`${exit} ${exitCodeMeanings[exit]}`), entry).toBe(true);
      const listed = /\(([A-Z_, ]+)\)$/.exec(entry)?.[1]?.split(', ') ?? [];
      const table = (Object.keys(errorCodes) as ErrorCode[]).filter((c) => errorCodes[c].exit === exit);
      expect(listed, `exit ${exit}`).toEqual(table);
    }
    for (const line of section.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('names the retryable codes of the table where bid and buy say what they retry', () => {
    const retryable = (Object.keys(errorCodes) as ErrorCode[]).filter((c) => errorCodes[c].retryable);
    const program = buildProgram();
    for (const name of ['bid', 'buy']) {
      const help = helpOf(find(program, name)).replace(/\s+/g, ' ');
      const listed = /answer is one that may change \(([A-Z_, ]+)\)/.exec(help)?.[1]?.split(', ');
      expect(listed, name).toEqual(retryable);
    }
  });
});
