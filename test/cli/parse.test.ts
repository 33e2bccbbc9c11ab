import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { amountArg, balanceArg, durationArg, idArg, isoTimeArg, limitArg } from '../../src/cli/parse.js';

const refuses = (parse: (text: string) => unknown, text: string) => expect(() => parse(text), text).toThrow(InvalidArgumentError);

describe('amountArg and balanceArg', () => {
  it('accept 10000, 10_000 and 10,000', () => {
    for (const text of ['10000', '10_000', '10,000']) expect(amountArg(text)).toBe(10_000);
    expect(amountArg('1,234,567')).toBe(1_234_567);
    expect(amountArg('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuse anything else, and zero for an amount but not a balance', () => {
    for (const bad of ['', '10.5', '10.000', '1,00', '10,0000', ',100', '100,', '_100', '-5', '+5', '1e4', '0x10', 'ten', '1 000', '9007199254740992']) {
      refuses(amountArg, bad);
      refuses(balanceArg, bad);
    }
    refuses(amountArg, '0');
    expect(balanceArg('0')).toBe(0);
  });
});

describe('idArg', () => {
  it('accepts a positive whole number only', () => {
    expect(idArg('7')).toBe(7);
    for (const bad of ['0', '-1', '07', '1.0', '7x', '', '99999999999999999']) refuses(idArg, bad);
  });
});

describe('durationArg', () => {
  it('accepts 90s, 10m, 2h and refuses a bare number', () => {
    expect(durationArg('90s')).toBe(90);
    expect(durationArg('10m')).toBe(600);
    expect(durationArg('2h')).toBe(7200);
    refuses(durationArg, '600');
  });
});

describe('limitArg', () => {
  it('accepts 1 to 200', () => {
    expect(limitArg('1')).toBe(1);
    expect(limitArg('200')).toBe(200);
    for (const bad of ['0', '201', '1.5', 'x', '']) refuses(limitArg, bad);
  });
});

describe('isoTimeArg', () => {
  it('normalises an ISO time to UTC and refuses other formats', () => {
    expect(isoTimeArg('2030-01-31T18:00:00Z')).toBe('2030-01-31T18:00:00.000Z');
    expect(isoTimeArg('2030-01-31T18:00:00+02:00')).toBe('2030-01-31T16:00:00.000Z');
    for (const bad of ['tomorrow', '2030-01-31', '31/01/2030 18:00', '2030-13-45T99:99']) refuses(isoTimeArg, bad);
  });
});
