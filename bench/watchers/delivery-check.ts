// The check of one watched stream (one socket's view of one auction): after
// the snapshot at version s, the events s+1, s+2, … must come each once, in
// order, up to the auction's last version. Counts what went wrong without
// keeping the versions that went right, so 20,000 streams cost little.

/** Most versions remembered as missing per stream; a larger gap is counted, not listed. */
const MISSING_CAP = 100_000;

export type Verdict = 'ok' | 'duplicate' | 'out-of-order';

export class StreamCheck {
  /** The snapshot's version, or null before the snapshot came. */
  start: number | null = null;
  /** The highest version received. */
  last = 0;
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  /** Versions skipped by a jump ahead and not (yet) received late. */
  private missing: Set<number> | undefined;
  private missingUncounted = 0;

  /** The snapshot: events after `version` follow. */
  begin(version: number): void {
    this.start = version;
    this.last = version;
  }

  /** One event delivered. */
  accept(version: number): Verdict {
    this.received++;
    if (this.start === null) {
      // An event before its snapshot: the stream has no starting point.
      this.outOfOrder++;
      return 'out-of-order';
    }
    if (version === this.last + 1) {
      this.last = version;
      return 'ok';
    }
    if (version > this.last) {
      this.missing ??= new Set();
      for (let v = this.last + 1; v < version; v++) {
        if (this.missing.size < MISSING_CAP) this.missing.add(v);
        else this.missingUncounted++;
      }
      this.last = version;
      this.outOfOrder++;
      return 'out-of-order';
    }
    if (this.missing?.delete(version)) {
      this.outOfOrder++;
      return 'out-of-order';
    }
    this.duplicates++;
    return 'duplicate';
  }

  /** Versions in (start, final] that never came (0 without a snapshot: the caller counts those apart). */
  lost(final: number): number {
    if (this.start === null) return 0;
    return (this.missing?.size ?? 0) + this.missingUncounted + Math.max(0, final - this.last);
  }

  /** True once every version up to `final` has come (or the stream is past it). */
  complete(final: number): boolean {
    return this.start !== null && this.last >= final && (this.missing?.size ?? 0) === 0 && this.missingUncounted === 0;
  }
}
