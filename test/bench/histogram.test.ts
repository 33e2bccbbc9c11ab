// The bench's latency histogram: durations counted in an array before they go
// into the hdr histogram must come out exactly as if recorded one by one.
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { Latency } from '../../bench/measure/histogram.js';

describe('Latency', () => {
  it('gives the same histogram as recording every duration into hdr-histogram, read and recorded again', () => {
    const seed = Date.now() % 1_000_000;
    console.log(`Latency seed ${seed}`);
    let state = seed;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const latency = new Latency();
    const plain = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
    const record = (ms: number) => {
      latency.record(ms);
      plain.recordValue(Math.min(120_000_000, Math.max(1, Math.round(ms * 1000))));
    };
    const summary = () => {
      const ms = (us: number) => Math.round(us) / 1000;
      return { count: plain.totalCount, p50Ms: ms(plain.getValueAtPercentile(50)), p99Ms: ms(plain.getValueAtPercentile(99)), p999Ms: ms(plain.getValueAtPercentile(99.9)), maxMs: ms(plain.maxValue) };
    };
    // Sub-µs, tens of ms, around the 0.52 s where counting stops, seconds, and past the top.
    for (let i = 0; i < 20_000; i++) record([0.0003, random() * 40, 500 + random() * 50, random() * 5000, 200_000][i % 5]!);
    expect(latency.summary()).toEqual(summary());
    for (let i = 0; i < 1000; i++) record(random() * 600);
    expect(latency.summary()).toEqual(summary());
    // Sent from a child process: read back as the same histogram sent plainly would be.
    expect(new Latency(latency.encode()).summary()).toEqual(new Latency(hdr.encodeIntoCompressedBase64(plain)).summary());
    const sum = new Latency();
    sum.record(3);
    sum.add(latency);
    plain.recordValue(3000);
    expect(sum.summary()).toEqual(summary());
  });
});
