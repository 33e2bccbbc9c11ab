import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { isHelpOrVersion, toNbError } from '../../src/cli/errors.js';
import { buildProgram } from '../../src/cli/program.js';
import { ExitCode, nbError } from '../../src/protocol/errors.js';

const options = { verbose: false, command: 'neighborbid bid' };

/** What commander throws for these arguments. */
function parseError(args: string[]): unknown {
  const program = buildProgram();
  try {
    program.parse(['node', 'neighborbid', ...args]);
  } catch (err) {
    return err;
  }
  throw new Error(`${args.join(' ')} parsed`);
}

describe('toNbError', () => {
  it('keeps error values as they are', () => {
    const e = nbError('BID_TOO_LOW');
    expect(toNbError(e, options)).toBe(e);
  });

  it('turns commander failures into one-line usage errors pointing at help', () => {
    const bad = toNbError(parseError(['bid', '1', '1.5']), options);
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.exitCode).toBe(ExitCode.usage);
    expect(bad.message).toBe(
      "invalid amount '1.5': an amount is a whole number of at least 1, written 10000, 10_000 or 10,000 (see 'neighborbid bid --help').",
    );
    const opt = toNbError(parseError(['auction', 'create', '--title', 't', '--start', 'x']), { ...options, command: 'neighborbid auction create' });
    expect(opt.message).toMatch(/^invalid --start 'x': an amount is a whole number/);
    const unknown = toNbError(parseError(['auctoin']), { ...options, command: 'neighborbid' });
    expect(unknown.message).toBe("unknown command 'auctoin'; did you mean auction? (see 'neighborbid --help').");
    expect(unknown.message).not.toContain('\n');
  });

  it('makes anything else INTERNAL (exit 1), hinting at --verbose', () => {
    const e = toNbError(new TypeError('x is undefined'), options);
    expect(e.code).toBe('INTERNAL');
    expect(e.exitCode).toBe(ExitCode.unexpected);
    expect(e.message).toBe('x is undefined (run again with --verbose for the stack trace)');
    expect(toNbError(new TypeError('x is undefined'), { ...options, verbose: true }).message).toBe('x is undefined');
  });
});

describe('isHelpOrVersion', () => {
  it('tells help and version apart from usage errors', () => {
    expect(isHelpOrVersion(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(true);
    expect(isHelpOrVersion(new CommanderError(1, 'commander.help', '(outputHelp)'))).toBe(true);
    expect(isHelpOrVersion(new CommanderError(1, 'commander.unknownCommand', 'x'))).toBe(false);
    expect(isHelpOrVersion(new InvalidArgumentError('x'))).toBe(false);
  });
});
