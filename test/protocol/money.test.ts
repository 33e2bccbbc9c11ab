// Money on the wire is a safe, non-negative integer of the smallest unit.
import { describe, expect, it } from 'vitest';
import { isMoney, MAX_MONEY } from '../../src/protocol/money.js';

describe('isMoney', () => {
  it('accepts only safe non-negative integers as money', () => {
    for (const ok of [0, 1, MAX_MONEY]) expect(isMoney(ok)).toBe(true);
    for (const bad of [-1, 1.5, MAX_MONEY + 1, Number.NaN, Infinity, '5', null, 10n]) expect(isMoney(bad), String(bad)).toBe(false);
  });
});
