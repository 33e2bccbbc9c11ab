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
}

export class Tally {
  readonly latency = new Latency();
  readonly refused: Record<string, number> = {};
  sent = 0;
  answered = 0;
  accepted = 0;
  transportErrors = 0;
  private readonly started = performance.now();
  private readonly deadline: number;
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly limits: LoadLimits) {
    this.deadline = this.started + limits.durationMs;
    this.ticker = setInterval(() => limits.onTick?.(this.answered, this.accepted, performance.now() - this.started), 250);
  }

  /** True (and counted as sent) when another bid may go. */
  take(): boolean {
    if (this.sent >= this.limits.maxBids || performance.now() >= this.deadline) return false;
    this.sent++;
    return true;
  }

  /** One answer: null for accepted, else the refusal code. */
  answer(code: string | null, ms: number): void {
    this.latency.record(ms);
    this.answered++;
    if (code === null) this.accepted++;
    else this.refuse(code);
  }

  refuse(code: string): void {
    this.refused[code] = (this.refused[code] ?? 0) + 1;
  }

  finish(): BidLoadResult {
    clearInterval(this.ticker);
    const { sent, accepted, refused, transportErrors, latency } = this;
    return { sent, accepted, refused, transportErrors, elapsedMs: performance.now() - this.started, latency };
  }
}

/** A run's refusals by code and its connection errors, e.g. "BID_TOO_LOW 12, connection errors 1", or "0". */
export function refusedText(r: Pick<BidLoadResult, 'refused' | 'transportErrors'>): string {
  const parts = Object.entries(r.refused).map(([code, n]) => `${code} ${fmt(n)}`);
  if (r.transportErrors) parts.push(`connection errors ${r.transportErrors}`);
  return parts.length ? parts.join(', ') : '0';
}
