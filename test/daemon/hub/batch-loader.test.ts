import { describe, expect, it } from 'vitest';
import { BatchLoader } from '../../../src/daemon/hub/batch-loader.js';

describe('BatchLoader', () => {
  it('answers the loads of one turn with one run, and those made during a run with the next', async () => {
    const runs: number[][] = [];
    let release: () => void = () => {};
    const loader = new BatchLoader<number, string>(async (keys) => {
      runs.push(keys);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
      return new Map(keys.filter((k) => k !== 3).map((k) => [k, `v${k}`]));
    }, 'missing');
    const first = [loader.load(1), loader.load(2), loader.load(1)];
    await new Promise((r) => setImmediate(r));
    const second = [loader.load(3), loader.load(4)];
    release();
    expect(await Promise.all(first)).toEqual(['v1', 'v2', 'v1']);
    expect(await Promise.all(second)).toEqual(['missing', 'v4']);
    expect(runs).toEqual([[1, 2], [3, 4]]);
  });

  it('rejects the loads of a failed run and goes on with the next', async () => {
    let fail = true;
    const loader = new BatchLoader<number, number>(async (keys) => {
      if (fail) {
        fail = false;
        throw new Error('database away');
      }
      return new Map(keys.map((k) => [k, k * 2]));
    }, 0);
    await expect(loader.load(1)).rejects.toThrow('database away');
    expect(await loader.load(5)).toBe(10);
  });
});
