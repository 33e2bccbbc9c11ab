import { describe, expect, it } from 'vitest';
import { inboxSummary } from '../../src/format/inbox-summary.js';
import { inboxQuery } from '../../src/protocol/inbox.js';
import { startOf, truncation } from '../../src/daemon/rules/inbox.js';

describe('the inbox query', () => {
  it('takes after and limit as whole numbers, with defaults, and nothing else', () => {
    expect(inboxQuery.parse({})).toEqual({ after: 0, limit: 100 });
    expect(inboxQuery.parse({ after: '17', limit: '1000' })).toEqual({ after: 17, limit: 1000 });
    for (const bad of [{ after: '-1' }, { after: '1.5' }, { limit: '0' }, { limit: '1001' }, { after: '99999999999999999' }, { since: '1' }, { after: ['1', '2'] }]) {
      expect(inboxQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('where an answer starts', () => {
  it('starts after the position, or over from the oldest kept for a position past the newest', () => {
    expect(startOf(3, 5)).toEqual({ from: 3, beyond: false });
    expect(startOf(5, 5)).toEqual({ from: 5, beyond: false });
    expect(startOf(6, 5)).toEqual({ from: 0, beyond: true });
  });

  it('says truncated when what follows the position is not kept', () => {
    expect(truncation(3, 9, 4)).toEqual({ truncated: false, at: 3 });
    expect(truncation(3, 9, 6)).toEqual({ truncated: true, at: 5 });
    expect(truncation(9, 9, undefined)).toEqual({ truncated: false, at: 9 });
    expect(truncation(3, 9, undefined)).toEqual({ truncated: true, at: 9 });
    expect(truncation(12, 9, 7)).toEqual({ truncated: true, at: 6 });
    expect(truncation(12, 9, undefined)).toEqual({ truncated: true, at: 9 });
    expect(truncation(0, 0, undefined)).toEqual({ truncated: false, at: 0 });
  });
});

describe('inboxSummary', () => {
  it('counts what happened in a few words', () => {
    const e = (type: 'outbid' | 'won' | 'lost' | 'sale' | 'unsold' | 'balance') => ({ type });
    expect(inboxSummary([])).toBe('nothing new');
    expect(inboxSummary([e('balance'), e('outbid'), e('balance')])).toBe('outbid once, 2 balance changes');
    expect(inboxSummary([e('outbid'), e('outbid'), e('won'), e('lost'), e('lost'), e('sale'), e('unsold')])).toBe(
      'outbid 2 times, won 1 auction, lost 2 auctions, sold 1 auction, 1 auction of yours ended unsold',
    );
  });
});
