import { describe, expect, it } from 'vitest';
import { MAX_DOORBELL_BYTES, packDoorbells, parseDoorbell } from '../../../src/daemon/hub/doorbell.js';
import type { Addressed } from '../../../src/daemon/hub/private-events.js';

const balance = (userId: number): Addressed => ({
  userId,
  event: { type: 'balance', userId, balance: 1000, held: 10, available: 990, at: '2030-01-01T00:00:00.000Z' },
});

describe('doorbells', () => {
  it('round-trips versions and private events', () => {
    const [payload, ...rest] = packDoorbells('d1', new Map([[7, 3], [9, 12]]), [balance(4)]);
    expect(rest).toEqual([]);
    expect(parseDoorbell(payload!)).toEqual({ daemonId: 'd1', versions: [[7, 3], [9, 12]], privates: [balance(4)] });
  });

  it('splits a large flush into payloads under the NOTIFY limit that together carry everything', () => {
    const versions = new Map(Array.from({ length: 3000 }, (_, i) => [i + 1, i + 1_000_000] as [number, number]));
    const privates = Array.from({ length: 500 }, (_, i) => balance(i + 1));
    const payloads = packDoorbells('d2', versions, privates);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_DOORBELL_BYTES);
    const parsed = payloads.map((p) => parseDoorbell(p)!);
    expect(parsed.flatMap((d) => d.versions)).toEqual([...versions.entries()]);
    expect(parsed.flatMap((d) => d.privates)).toEqual(privates);
  });

  it('ignores payloads that are not doorbells', () => {
    expect(parseDoorbell('hello')).toBeNull();
    expect(parseDoorbell('{"d":1}')).toBeNull();
    expect(parseDoorbell('{"d":"x","v":[["a",1],[2,3]],"p":[{"u":"z"}]}')).toEqual({ daemonId: 'x', versions: [[2, 3]], privates: [] });
  });
});
