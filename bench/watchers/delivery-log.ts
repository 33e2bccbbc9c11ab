// When each delivery of a watcher process arrived, kept compactly (an event
// number and a time per delivery, in typed arrays) so that at the end it can be
// timed against the event's commit, which only the database knows and only
// after the run: PostgreSQL's commit timestamp of the transaction that wrote
// the event. The event's own `at` is stamped inside the transaction, before
// the rest of its batch and the commit; timing from it would count the
// transaction's remaining time as delivery time.
import { Latency } from '../measure/histogram.js';

/** Most deliveries logged per process (12 bytes each); later ones are counted as untimed (their events are still kept). */
export const LOG_CAP = 8_000_000;

export interface CommitTiming {
  /** Commit-to-arrival of every logged delivery whose event has a commit time (hdr histogram). */
  latency: Latency;
  /** Deliveries that arrived before their commit timestamp. */
  beforeCommit: number;
  /** Deliveries over the cap or without a commit time. */
  untimed: number;
}

export class DeliveryLog {
  private readonly eventOf = new Map<number, Map<number, number>>();
  private readonly events: [auction: number, version: number][] = [];
  /** Beside `events`: the first signature each event came with (its bid id, or its type when not a bid). */
  private readonly signatures: (number | string)[] = [];
  private keys = new Uint32Array(1 << 16);
  private times = new Float64Array(1 << 16);
  private n = 0;
  private overCap = 0;

  /**
   * One delivery of (auction, version) with its signature, arrived at `ms`
   * (epoch ms). One (auction, version) is one committed event, so every copy
   * must be the same one: returns true when this signature differs from the
   * first the event came with.
   */
  record(auction: number, version: number, ms: number, signature: number | string): boolean {
    let versions = this.eventOf.get(auction);
    if (!versions) this.eventOf.set(auction, (versions = new Map()));
    let key = versions.get(version);
    let mismatched = false;
    if (key === undefined) {
      key = this.events.push([auction, version]) - 1;
      this.signatures.push(signature);
      versions.set(version, key);
    } else mismatched = this.signatures[key] !== signature;
    if (this.n === LOG_CAP) {
      this.overCap++;
      return mismatched;
    }
    if (this.n === this.keys.length) this.grow();
    this.keys[this.n] = key;
    this.times[this.n++] = ms;
    return mismatched;
  }

  /** Per auction, each version seen with its first signature. */
  seen(): [auction: number, versions: [version: number, signature: number | string][]][] {
    return [...this.eventOf].map(([a, versions]) => [a, [...versions].map(([v, key]) => [v, this.signatures[key]!])]);
  }

  /** Times every logged delivery against its event's commit (epoch ms, by auction and version). */
  time(commits: [auction: number, version: number, ms: number][]): CommitTiming {
    const commitOf = new Map<number, Map<number, number>>();
    for (const [a, v, ms] of commits) {
      let m = commitOf.get(a);
      if (!m) commitOf.set(a, (m = new Map()));
      m.set(v, ms);
    }
    const commitMs = this.events.map(([a, v]) => commitOf.get(a)?.get(v) ?? NaN);
    const latency = new Latency();
    let beforeCommit = 0;
    let untimed = this.overCap;
    for (let i = 0; i < this.n; i++) {
      const c = commitMs[this.keys[i]!]!;
      if (Number.isNaN(c)) untimed++;
      else {
        const ms = this.times[i]! - c;
        if (ms < 0) beforeCommit++;
        latency.record(ms);
      }
    }
    return { latency, beforeCommit, untimed };
  }

  private grow(): void {
    const keys = new Uint32Array(Math.min(LOG_CAP, this.keys.length * 2));
    const times = new Float64Array(keys.length);
    keys.set(this.keys);
    times.set(this.times);
    this.keys = keys;
    this.times = times;
  }
}
