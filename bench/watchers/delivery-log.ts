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

/** Versions below this are looked up by index in a typed array (grown as they come), any other in a Map. */
const INDEXED_VERSIONS = 1 << 20;

/** One auction's events seen: each version's event number. */
class AuctionEvents {
  /** By version: the event number + 1 (0: not seen). */
  private byVersion = new Int32Array(256);
  private readonly other = new Map<number, number>();

  get(version: number): number | undefined {
    if (version >= 0 && version < INDEXED_VERSIONS && Number.isInteger(version)) {
      const k = version < this.byVersion.length ? this.byVersion[version]! : 0;
      return k === 0 ? undefined : k - 1;
    }
    return this.other.get(version);
  }

  set(version: number, key: number): void {
    if (version >= 0 && version < INDEXED_VERSIONS && Number.isInteger(version)) {
      if (version >= this.byVersion.length) {
        const grown = new Int32Array(Math.min(INDEXED_VERSIONS, Math.max(version + 1, this.byVersion.length * 2)));
        grown.set(this.byVersion);
        this.byVersion = grown;
      }
      this.byVersion[version] = key + 1;
    } else this.other.set(version, key);
  }

  /** [version, event number] of each version seen. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let v = 0; v < this.byVersion.length; v++) if (this.byVersion[v] !== 0) out.push([v, this.byVersion[v]! - 1]);
    return out.concat([...this.other]);
  }
}

export class DeliveryLog {
  private readonly eventOf = new Map<number, AuctionEvents>();
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
    if (!versions) this.eventOf.set(auction, (versions = new AuctionEvents()));
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
    return [...this.eventOf].map(([a, versions]) => [a, versions.entries().map(([v, key]) => [v, this.signatures[key]!])]);
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
