// GET /metrics as a Prometheus server and a stock dashboard read it: names that
// follow Prometheus's conventions (checked by promtool when it is installed, and
// by our own lint of the same rules always), the process and Node.js metrics
// under their standard names, and a Grafana dashboard that asks only for
// metrics the daemon exposes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRulesDaemon } from '../helpers/fixture.js';
import { lintMetrics, metricFamilies, sampleNames } from '../helpers/prometheus-lint.js';
import { send } from '../helpers/raw-http.js';
import { expectRefused, seedAuction, seedUser } from '../helpers/seed.js';
import { framesOf, openWatcher } from '../helpers/watcher.js';

const t = useRulesDaemon();
const DASHBOARD = resolve(import.meta.dirname, '../../docs/grafana-dashboard.json');

// Said in the test's name, so a run shows whether promtool itself was asked.
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

/** /metrics after bids (accepted and refused), a watcher and a bad frame, so labelled families have samples. */
async function scrapeAfterTraffic(): Promise<string> {
  const a = await seedAuction(t.seller);
  const bidder = await seedUser(t.daemon, 1000);
  const w = await openWatcher(t.daemon.url);
  w.send({ op: 'subscribe', auctions: [a.id] });
  await w.until((f) => framesOf(f, a.id).length === 1, 10_000, 'snapshot');
  await bidder.client.bid(a.id, 100);
  await expectRefused(bidder.client.bid(a.id, 100), 'BID_TOO_LOW');
  await w.until((f) => framesOf(f, a.id).length === 2, 10_000, 'the bid');
  w.send({ op: 'nonsense' });
  await w.until((f) => f.some((x) => x.type === 'error'), 10_000, 'error frame');
  await w.close();
  const r = await send(t.daemon.url, { path: '/metrics' });
  expect(r.status).toBe(200);
  return r.text;
}

/** The metric names a PromQL expression reads (not its functions, labels or keywords). */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names: string[] = [];
  for (const m of bare.matchAll(/\b([a-zA-Z_:][\w:]*)\b(\s*\()?/g)) {
    if (m[2] !== undefined) continue; // a function or aggregation
    if (/^(and|or|unless|bool|offset|by|without|inf|nan)$/i.test(m[1]!)) continue;
    names.push(m[1]!);
  }
  return names;
}

describe('metrics', () => {
  it(promtool ? 'pass promtool check metrics and our lint of its naming rules' : 'pass our lint of promtool\'s naming rules (promtool is not installed: scripts/check-metrics.sh installs it)', async () => {
    const text = await scrapeAfterTraffic();
    expect(lintMetrics(text)).toEqual([]);
    if (promtool) {
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('our lint finds what promtool would refuse', () => {
    const bad = [
      '# HELP a_requests Requests.',
      '# TYPE a_requests counter',
      'a_requests 1',
      '# TYPE b_open_total gauge',
      'b_open_total 1',
      '# HELP c_batch Batches.',
      '# TYPE c_batch histogram',
      'c_batch_bucket{le="+Inf"} 1',
      '# HELP d_latency_ms Latency.',
      '# TYPE d_latency_ms gauge',
      'd_latency_ms 3',
    ].join('\n');
    expect(lintMetrics(bad)).toEqual([
      "a_requests: a counter's name must end in _total",
      'b_open_total: no HELP text',
      'b_open_total: only counters end in _total',
      'c_batch: a histogram needs its unit in its name (seconds, bytes, bids)',
      'd_latency_ms: use base units (seconds, bytes, ratio)',
      'd_latency_ms: a time must be in seconds and say so',
    ]);
  });

  it('expose the process and Node.js metrics under their standard names, and the pool limit as its own gauge', async () => {
    const r = await send(t.daemon.url, { path: '/metrics' });
    const families = metricFamilies(r.text);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'nodejs_active_handles']) {
      expect(families.has(name), name).toBe(true);
    }
    expect([...families.keys()].filter((n) => /^nb_(process|nodejs)_/.test(n))).toEqual([]);
    expect(families.get('nb_bid_batch_size_bids')?.type).toBe('histogram');
    expect(families.get('nb_db_pool_max_connections')?.type).toBe('gauge');
    expect(r.text).toMatch(/^nb_db_pool_max_connections 16$/m);
    expect(families.get('nb_db_pool_connections')?.labels).toEqual(new Set(['state']));
    expect(r.text).not.toMatch(/state="max"/);
  });
});

describe('the Grafana dashboard (docs/grafana-dashboard.json)', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    title: string;
    uid: string;
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
    templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
  };

  it('loads as a dashboard with panels that each ask Prometheus something', () => {
    expect(dashboard.title).toMatch(/neighborbid/);
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThanOrEqual(10);
    for (const p of graphs) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('names only metrics that exist on /metrics, and uses every one of the daemon\'s own', async () => {
    const text = (await send(t.daemon.url, { path: '/metrics' })).text;
    const families = metricFamilies(text);
    const exposed = sampleNames(families);
    const variables = dashboard.templating.list.flatMap((v) => (v.type === 'query' ? [typeof v.query === 'string' ? v.query : v.query!.query] : []));
    const used = new Set([
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((x) => metricNamesIn(x.expr))),
      // label_values(metric, label): the label is no metric.
      ...variables.map((q) => /^label_values\(\s*([\w:]+)/.exec(q)?.[1] ?? q),
    ]);
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
    const ownUnused = [...families.keys()].filter((n) => n.startsWith('nb_') && ![...used].some((u) => u === n || u.startsWith(`${n}_`)));
    expect(ownUnused).toEqual([]);
  });

  it('reads metric names out of PromQL, not functions, labels or keywords', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{instance=~"$instance",route="/x"}[$__rate_interval])))')).toEqual(['a_seconds_bucket']);
    expect(metricNamesIn('sum(rate(b_total[5m])) / ignoring(x) sum(c) or vector(0)')).toEqual(['b_total', 'c']);
  });
});
