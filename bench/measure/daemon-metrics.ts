// Reads a daemon's Prometheus metrics: the batch-size histogram of group
// commit (nb_bid_batch_size_bids), compared before and after a measured phase,
// and the other counters and histograms a report takes from the daemon.
import http from 'node:http';

/** GET /metrics as text. */
export function scrapeMetrics(url: string): Promise<string> {
  return new Promise((ok, fail) => {
    const req = http.get(new URL('/metrics', url), { timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? ok(text) : fail(new Error(`/metrics answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
    req.on('error', fail);
  });
}

export interface Histogram {
  /** Cumulative counts by upper bound ("+Inf" last). */
  buckets: { le: string; count: number }[];
  sum: number;
  count: number;
}

/** One histogram out of Prometheus text (no labels besides `le`). */
export function parseHistogram(text: string, name: string): Histogram {
  const buckets: { le: string; count: number }[] = [];
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_bucket{`)) {
      const m = /le="([^"]+)"\}\s+(\S+)/.exec(line);
      if (m) buckets.push({ le: m[1]!, count: Number(m[2]) });
    } else if (line.startsWith(`${name}_sum `)) sum = Number(line.split(' ')[1]);
    else if (line.startsWith(`${name}_count `)) count = Number(line.split(' ')[1]);
  }
  return { buckets, sum, count };
}

export interface BatchSizes {
  /** Transactions whose batch size fell in (previous bound, le]. */
  rows: { range: string; transactions: number }[];
  transactions: number;
  bids: number;
  mean: number;
}

/** The batches made between two scrapes, as a non-cumulative table. */
export function batchSizesBetween(before: string, after: string): BatchSizes {
  const a = parseHistogram(before, 'nb_bid_batch_size_bids');
  const b = parseHistogram(after, 'nb_bid_batch_size_bids');
  const rows: BatchSizes['rows'] = [];
  let prevBound = 0;
  let prevCum = 0;
  for (const bucket of b.buckets) {
    const cum = bucket.count - (a.buckets.find((x) => x.le === bucket.le)?.count ?? 0);
    const bound = bucket.le === '+Inf' ? Infinity : Number(bucket.le);
    const lo = prevBound + 1;
    const range = bound === Infinity ? `> ${prevBound}` : lo >= bound ? `${bound}` : `${lo}–${bound}`;
    rows.push({ range, transactions: cum - prevCum });
    prevBound = bound;
    prevCum = cum;
  }
  const transactions = b.count - a.count;
  const bids = b.sum - a.sum;
  return {
    rows: rows.filter((r) => r.transactions > 0 || !r.range.startsWith('>')),
    transactions,
    bids,
    mean: transactions ? Math.round((bids / transactions) * 10) / 10 : 0,
  };
}

/** The sum of every series of a counter or gauge (all labels, or those carrying `label`, e.g. `kind="major"`), from Prometheus text. */
export function metricTotal(text: string, name: string, label?: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const named = line.startsWith(`${name} `) || line.startsWith(`${name}{`);
    if (named && (label === undefined || line.includes(label))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export interface HistogramDelta {
  count: number;
  mean: number;
  /** Upper bounds of the buckets holding the median and the 99th percentile ("> last bound" past it). */
  p50: string;
  p99: string;
}

/** What a histogram recorded between two scrapes. */
export function histogramBetween(before: string, after: string, name: string): HistogramDelta {
  const a = parseHistogram(before, name);
  const b = parseHistogram(after, name);
  const count = b.count - a.count;
  const cum = b.buckets.map((bucket) => ({ le: bucket.le, n: bucket.count - (a.buckets.find((x) => x.le === bucket.le)?.count ?? 0) }));
  const bound = (q: number) => {
    const hit = cum.find((x) => x.n >= q * count);
    if (!hit) return 'n/a';
    if (hit.le !== '+Inf') return `≤ ${hit.le}`;
    return `> ${cum[cum.length - 2]?.le ?? '?'}`;
  };
  return { count, mean: count ? (b.sum - a.sum) / count : 0, p50: bound(0.5), p99: bound(0.99) };
}

export interface GcDelta {
  /** Full (mark-compact) collections. */
  full: number;
  /** Every collection's pause, in ms. */
  pauseMs: number;
}

/** The daemon's garbage collections between two scrapes (prom-client's nodejs_gc_duration_seconds). */
export function gcBetween(before: string, after: string): GcDelta {
  const count = (t: string) => metricTotal(t, 'nodejs_gc_duration_seconds_count', 'kind="major"');
  const sum = (t: string) => metricTotal(t, 'nodejs_gc_duration_seconds_sum');
  return { full: count(after) - count(before), pauseMs: Math.round((sum(after) - sum(before)) * 1000) };
}
