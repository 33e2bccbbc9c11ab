// Latency percentiles: over hdr-histogram-js for the loads, recorded in
// microseconds so that a sub-millisecond transaction is not rounded away, and
// exact over a small sorted sample for the probes' few runs.
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  /** The 99.9th percentile. */
  p999Ms: number;
  maxMs: number;
}

/** A latency histogram from 1 µs to 120 s, three significant digits. */
export class Latency {
  private readonly h: hdr.Histogram;

  constructor(encoded?: string) {
    this.h = encoded
      ? hdr.decodeFromCompressedBase64(encoded)
      : hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  }

  /** The histogram as text, for sending it from a child process (`new Latency(text)` reads it back). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }

  /** Records one duration given in milliseconds (as performance.now() deltas are). */
  record(ms: number): void {
    this.h.recordValue(Math.min(120_000_000, Math.max(1, Math.round(ms * 1000))));
  }

  add(other: Latency): void {
    this.h.add(other.h);
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.h.totalCount,
      p50Ms: ms(this.h.getValueAtPercentile(50)),
      p99Ms: ms(this.h.getValueAtPercentile(99)),
      p999Ms: ms(this.h.getValueAtPercentile(99.9)),
      maxMs: ms(this.h.maxValue),
    };
  }
}

/** The p-th percentile of a small sample sorted ascending (the nearest rank); NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
