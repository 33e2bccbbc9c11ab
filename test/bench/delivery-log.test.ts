// The watchers' delivery log: each (auction, version) is one event whose
// copies must all be the same, and every delivery is timed against its commit.
import { describe, expect, it } from 'vitest';
import { DeliveryLog } from '../../bench/watchers/delivery-log.js';

describe('DeliveryLog', () => {
  it('flags a copy that differs from the first, over small, large and odd versions alike', () => {
    const log = new DeliveryLog();
    for (const v of [1, 300, 5_000_000, 2 ** 40]) {
      expect(log.record(7, v, 1000, 812)).toBe(false);
      expect(log.record(7, v, 1001, 812)).toBe(false);
      expect(log.record(7, v, 1002, 813)).toBe(true);
      expect(log.record(7, v, 1003, 'closed')).toBe(true);
    }
    expect(log.record(8, 300, 1000, 'closed')).toBe(false);
    const seen = new Map(log.seen().map(([a, versions]) => [a, new Map(versions)]));
    expect(seen).toEqual(new Map([[7, new Map<number, number | string>([[1, 812], [300, 812], [5_000_000, 812], [2 ** 40, 812]])], [8, new Map([[300, 'closed']])]]));
  });

  it('times each delivery against its event\'s commit, and counts those before it or without one', () => {
    const log = new DeliveryLog();
    log.record(7, 1, 1010, 1);
    log.record(7, 1, 1030, 1);
    log.record(7, 2, 1004, 2);
    log.record(9, 1, 1000, 3);
    const t = log.time([[7, 1, 1000], [7, 2, 1005]]);
    expect(t.beforeCommit).toBe(1);
    expect(t.untimed).toBe(1);
    expect(t.latency.summary().count).toBe(3);
    expect(t.latency.summary().maxMs).toBe(30);
  });
});
