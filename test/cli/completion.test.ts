// Completion is worked out from the program, so a command added to it completes
// with nothing else to do; and bash's word splitting at = and : is undone.
import { describe, expect, it } from 'vitest';
import { complete, joinBashWords, type Completion } from '../../src/cli/completion.js';
import { buildProgram } from '../../src/cli/program.js';

const values = (c: Completion) => (c.kind === 'words' ? c.candidates.map((x) => x.value).sort() : c);

describe('complete', () => {
  it('completes a command added to the program, its flags and its choices, with no list kept elsewhere', () => {
    const program = buildProgram();
    program
      .command('frobnicate')
      .description('a command made up for this test')
      .option('--wibble <level>', 'how much')
      .option('--wobble')
      .command('deeply')
      .description('and a subcommand');
    expect(values(complete(program, ['fro']))).toEqual(['frobnicate']);
    expect(complete(program, ['fro'])).toEqual({ kind: 'words', candidates: [{ value: 'frobnicate', description: 'a command made up for this test' }] });
    expect(values(complete(program, ['frobnicate', '--w']))).toEqual(['--wibble', '--wobble']);
    expect(values(complete(program, ['frobnicate', '--wibble', '3', 'd']))).toEqual(['deeply']);
    expect(values(complete(program, ['frobnicate', 'deeply', '--js']))).toEqual(['--json']);
  });

  it('leaves out hidden commands, and offers nothing for a free value or after --', () => {
    const program = buildProgram();
    expect(values(complete(program, ['__']))).toEqual([]);
    expect(values(complete(program, ['auction', 'create', '--title', '']))).toEqual([]);
    expect(values(complete(program, ['bid', '--', '--']))).toEqual({ kind: 'auctions', prefix: '--', url: undefined });
    expect(complete(program, ['--url=http://x:1', 'buy', '7'])).toEqual({ kind: 'auctions', prefix: '7', url: 'http://x:1' });
  });
});

describe('joinBashWords', () => {
  it('joins what bash split at = and :, and says how much of the last word bash does not count', () => {
    expect(joinBashWords(['--status', '=', 'c'])).toEqual({ words: ['--status=c'], cut: 9 });
    expect(joinBashWords(['--status', '='])).toEqual({ words: ['--status='], cut: 8 });
    expect(joinBashWords(['--url', 'http', ':', '//127.0.0.1', ':', '7700', 'bid', ''])).toEqual({
      words: ['--url', 'http://127.0.0.1:7700', 'bid', ''],
      cut: 0,
    });
  });
});
