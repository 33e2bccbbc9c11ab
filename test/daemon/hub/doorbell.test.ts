import { describe, expect, it } from 'vitest';
import { MAX_DOORBELL_BYTES, packDoorbells, parseDoorbell } from '../../../src/daemon/hub/doorbell.js';

describe('doorbells', () => {
  it('round-trips versions and the users whose inboxes grew', () => {
    const [payload, ...rest] = packDoorbells('d1', new Map([[7, 3], [9, 12]]), [4, 5]);
    expect(rest).toEqual([]);
    expect(parseDoorbell(payload!)).toEqual({ daemonId: 'd1', versions: [[7, 3], [9, 12]], users: [4, 5] });
  });

  it('splits a large flush into payloads under the NOTIFY limit that together carry everything', () => {
    const versions = new Map(Array.from({ length: 3000 }, (_, i) => [i + 1, i + 1_000_000] as [number, number]));
    const users = Array.from({ length: 2000 }, (_, i) => i + 1_000_000_000);
    const payloads = packDoorbells('d2', versions, users);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_DOORBELL_BYTES);
    const parsed = payloads.map((p) => parseDoorbell(p)!);
    expect(parsed.flatMap((d) => d.versions)).toEqual([...versions.entries()]);
    expect(parsed.flatMap((d) => d.users)).toEqual(users);
  });

  it('ignores payloads that are not doorbells', () => {
    expect(parseDoorbell('hello')).toBeNull();
    expect(parseDoorbell('{"d":1}')).toBeNull();
    expect(parseDoorbell('{"d":"x","v":[["a",1],[2,3]],"u":["z",4]}')).toEqual({ daemonId: 'x', versions: [[2, 3]], users: [4] });
  });
});
