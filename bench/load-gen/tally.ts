// The bookkeeping of a bounded bid loop, shared by the HTTP loop and the SQL
// baselines: the limits (count and time), answers by result, latency, ticks.
import { fmt } from '../harness/report.js';
import { Latency } from '../measure/histogram.js';

export interface LoadLimits {
  durationMs: number;
  /** Stop sending after this many bids, whatever the time. */
  maxBids: number;
  /** Called about every 250 ms with the bids answered so far. */
  onTick?(answered: number, accepted: number, elapsedMs: number): void;
}

export interface BidLoadResult {
  sent: number;
  accepted: number;
  /** Refusals by error code (BID_TOO_LOW, …); daemon and database errors count here too. */
  refused: Record<string, number>;
  /** Connections that failed (reset, closed, a database error): each stops its loop. */
  transportErrors: number;
  elapsedMs: number;
  /** Latency of every answered bid. */
  latency: Latency;
  /** Bids accepted in each whole second of the run, by answer time (a partial last second left out): the run's sparkline. */
  acceptedEachSecond: number[];
}

export class Tally {
  readonly latency = new Latency();
  readonly refused: Record<string, number> = {};
  sent = 0;
  answered = 0;
  accepted = 0;
  transportErrors = 0;
  private readonly started: number;
  private readonly deadline: number;
  private readonly ticker: NodeJS.Timeout;
  private readonly eachSecond: number[] = [];

  /** `now` is the loop's clock in ms (performance.now unless a test drives time). */
  constructor(
    private readonly limits: LoadLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    this.deadline = this.started + limits.durationMs;
    this.ticker = setInterval(() => limits.onTick?.(this.answered, this.accepted, this.now() - this.started), 250);
  }

  /** True (and counted as sent) when another bid may go. */
  take(): boolean {
    if (this.sent >= this.limits.maxBids || this.now() >= this.deadline) return false;
    this.sent++;
    return true;
  }

  /** One answer: null for accepted, else the refusal code. */
  answer(code: string | null, ms: number): void {
    this.latency.record(ms);
    this.answered++;
    if (code === null) this.accept();
    else this.refuse(code);
  }

  /** One bid accepted (its answer and latency recorded apart). */
  accept(): void {
    this.accepted++;
    const second = Math.floor((this.now() - this.started) / 1000);
    while (this.eachSecond.length <= second) this.eachSecond.push(0);
    this.eachSecond[second]!++;
  }

  refuse(code: string): void {
    this.refused[code] = (this.refused[code] ?? 0) + 1;
  }

  /** Stops the ticker; the run's time ends at `endMs` (now unless given, e.g. the last answer). */
  finish(endMs = this.now()): BidLoadResult {
    clearInterval(this.ticker);
    const { sent, accepted, refused, transportErrors, latency } = this;
    const elapsedMs = endMs - this.started;
    const acceptedEachSecond = this.eachSecond.slice(0, Math.floor(elapsedMs / 1000));
    return { sent, accepted, refused, transportErrors, elapsedMs, latency, acceptedEachSecond };
  }
}

/** A run's refusals by code and its connection errors, e.g. "BID_TOO_LOW 12, connection errors 1", or "0". */
export function refusedText(r: Pick<BidLoadResult, 'refused' | 'transportErrors'>): string {
  const parts = Object.entries(r.refused).map(([code, n]) => `${code} ${fmt(n)}`);
  if (r.transportErrors) parts.push(`connection errors ${r.transportErrors}`);
  return parts.length ? parts.join(', ') : '0';
}
