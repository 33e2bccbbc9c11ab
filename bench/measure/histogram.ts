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

/**
 * Durations under this many µs (0.52 s) are first counted in a plain array,
 * one slot per µs, and go into the histogram in bulk when it is read: the
 * same values, recorded for an array increment instead of the histogram's
 * bucket arithmetic (a watcher process records 100,000 a second).
 */
const COUNTED_US = 1 << 19;

/** A latency histogram from 1 µs to 120 s, three significant digits. */
export class Latency {
  private readonly hist: hdr.Histogram;
  /** Durations (µs) not yet in the histogram: counts[us] of each, and how many there are. */
  private counts: Uint32Array | undefined;
  private counted = 0;

  constructor(encoded?: string) {
    this.hist = encoded
      ? hdr.decodeFromCompressedBase64(encoded)
      : hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  }

  /** The histogram as text, for sending it from a child process (`new Latency(text)` reads it back). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }

  /** Records one duration given in milliseconds (as performance.now() deltas are). */
  record(ms: number): void {
    const us = Math.min(120_000_000, Math.max(1, Math.round(ms * 1000)));
    if (us < COUNTED_US) {
      (this.counts ??= new Uint32Array(COUNTED_US))[us]!++;
      this.counted++;
    } else this.hist.recordValue(us);
  }

  /** The histogram with every recorded duration in it. */
  private get h(): hdr.Histogram {
    const counts = this.counts;
    if (counts && this.counted > 0) {
      for (let us = 1; us < COUNTED_US; us++) {
        if (counts[us] === 0) continue;
        this.hist.recordValueWithCount(us, counts[us]!);
        counts[us] = 0;
      }
      this.counted = 0;
    }
    return this.hist;
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
