// The CLI's one translation of errors: every failure becomes an NbError, is
// printed as one line on stderr (`neighborbid: CODE: message`), with --json also
// as {"error":{…}} on stdout, and leaves with the code's exit code.
import { CommanderError } from 'commander';
import { nbError, NbError, type ExitCode } from '../protocol/errors.js';
import { colourEnabled, painter } from './output.js';

export interface ReportOptions {
  json: boolean;
  verbose: boolean;
  /** The command whose help to point at, e.g. `neighborbid bid`. */
  command: string;
  /** The command's --json output is NDJSON (`watch`): the error document is one line too. */
  ndjson?: boolean;
}

/** True for commander's ways of ending that are not errors to report (help, version). */
export function isHelpOrVersion(err: unknown): err is CommanderError {
  return (
    err instanceof CommanderError &&
    (err.exitCode === 0 || err.code === 'commander.help' || err.code === 'commander.helpDisplayed')
  );
}

/** Commander's parse failure as a sentence: `invalid --start '1.5': an amount is …`. */
function usageText(message: string): string {
  const text = message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)$/, '; did you mean $1?');
  const arg = /^command-argument value '(.*)' is invalid for argument '(.*)'\. (.*)$/s.exec(text);
  if (arg) return `invalid ${arg[2]} '${arg[1]}': ${arg[3]}`;
  const opt = /^option '(\S+)[^']*' argument '(.*)' is invalid\. (.*)$/s.exec(text);
  if (opt) return `invalid ${opt[1]} '${opt[2]}': ${opt[3]}`;
  return text;
}

/** Anything thrown, as an error value: commander's parse failures are usage errors. */
export function toNbError(err: unknown, options: Pick<ReportOptions, 'verbose' | 'command'>): NbError {
  if (err instanceof NbError) return err;
  if (err instanceof CommanderError) {
    return nbError('INVALID_INPUT', { reason: 'usage', problem: usageText(err.message), command: options.command });
  }
  const message = err instanceof Error ? err.message : String(err);
  return nbError('INTERNAL', { reason: options.verbose ? 'thrownVerbose' : 'thrown', problem: message });
}

/** Prints the error and returns the exit code to leave with. */
export function reportError(err: unknown, options: ReportOptions): ExitCode {
  const e = toNbError(err, options);
  const paint = painter(colourEnabled(process.stderr));
  const stack = options.verbose && err instanceof Error && !(err instanceof CommanderError) ? `\n${err.stack}` : '';
  // One line, whatever the message holds; the stack (with --verbose) follows it.
  const line = e.message.replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`neighborbid: ${paint('red', e.code)}: ${line}${stack}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify({ error: e.toBody() }, null, options.ndjson ? undefined : 2)}\n`);
  return e.exitCode;
}

