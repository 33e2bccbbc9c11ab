// The bench's charts as Vega-Lite specs (data inline), from plain figures so
// that any scenario can hand its own: latency against offered load and
// deliveries against commit-to-watcher latency (a rate sweep of `load`), and
// contenders side by side (`hot`, `spread`). Rendered by render.ts.
import type { ReportChart } from '../harness/report.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const BOUND_COLOUR = '#c0392b';

/** One offered rate of a sweep, as the charts read it. */
export interface RatePoint {
  offeredPerSec: number;
  deliveriesPerSec: number;
  /** Commit-to-watcher percentiles; null when the server keeps no commit timestamps. */
  commit: { p50Ms: number; p99Ms: number; p999Ms: number } | null;
  /** Bid latency from each bid's slot. */
  bid: { p50Ms: number; p99Ms: number };
}

/** The series of the latency chart, in legend order. */
export const LATENCY_SERIES = ['commit-to-watcher p50', 'commit-to-watcher p99', 'commit-to-watcher p99.9', 'bid p50 (from its slot)', 'bid p99 (from its slot)'] as const;

// Latencies on a log scale: at the saturation the p99 is a hundred times the p50. Zero has no place on it.
const logMs = (ms: number) => Math.max(0.01, ms);

// A dashed horizontal rule at the bound, labelled at its right end (the left is where the lowest rates' labels go).
function boundLayers(boundMs: number, label: string): Record<string, unknown>[] {
  return [
    { data: { values: [{ ms: boundMs }] }, mark: { type: 'rule', strokeDash: [4, 4], color: BOUND_COLOUR }, encoding: { y: { field: 'ms', type: 'quantitative' } } },
    {
      data: { values: [{ ms: boundMs, label }] },
      mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -2, color: BOUND_COLOUR },
      encoding: { y: { field: 'ms', type: 'quantitative' }, x: { value: 'width' }, text: { field: 'label' } },
    },
  ];
}

interface LineChartOptions {
  title: string;
  subtitle: string | string[];
  /** The latency bound, drawn as a dashed rule. */
  boundMs: number;
}

// A line chart's frame: title, size, its rows, its layers, and the bound's rule over them.
function lineChart(name: string, o: LineChartOptions, values: Record<string, unknown>[], layers: Record<string, unknown>[]): ReportChart {
  return {
    name,
    spec: {
      $schema: SCHEMA,
      title: { text: o.title, subtitle: o.subtitle },
      width: 560,
      height: 320,
      data: { values },
      layer: [...layers, ...boundLayers(o.boundMs, `${o.boundMs} ms`)],
    },
  };
}

/** Latency percentiles (commit-to-watcher and bids) against the offered rate, with the bound and the knee marked. */
export function latencyVsOfferedChart(points: readonly RatePoint[], o: LineChartOptions & { kneePerSec?: number | undefined }): ReportChart {
  const values = points.flatMap((p) => {
    const rows: { series: string; kind: string; ms: number }[] = [
      { series: LATENCY_SERIES[3], kind: 'bid', ms: logMs(p.bid.p50Ms) },
      { series: LATENCY_SERIES[4], kind: 'bid', ms: logMs(p.bid.p99Ms) },
    ];
    if (p.commit) {
      rows.unshift(
        { series: LATENCY_SERIES[0], kind: 'delivery', ms: logMs(p.commit.p50Ms) },
        { series: LATENCY_SERIES[1], kind: 'delivery', ms: logMs(p.commit.p99Ms) },
        { series: LATENCY_SERIES[2], kind: 'delivery', ms: logMs(p.commit.p999Ms) },
      );
    }
    return rows.map((r) => ({ offered: p.offeredPerSec, ...r }));
  });
  const knee =
    o.kneePerSec === undefined
      ? []
      : [
          { data: { values: [{ offered: o.kneePerSec }] }, mark: { type: 'rule', color: '#555' }, encoding: { x: { field: 'offered', type: 'quantitative' } } },
          {
            data: { values: [{ offered: o.kneePerSec, label: `knee: ${o.kneePerSec} bids/s` }] },
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, color: '#555' },
            encoding: { x: { field: 'offered', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
          },
        ];
  return lineChart('latency-vs-offered', o, values, [
    {
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'offered', type: 'quantitative', title: 'offered bids/s (open loop)' },
        y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency, ms (log scale)' },
        color: { field: 'series', type: 'nominal', sort: [...LATENCY_SERIES], title: null, legend: { orient: 'bottom', columns: 3, labelLimit: 300 } },
        // Deliveries solid, bids dashed.
        strokeDash: { field: 'kind', type: 'nominal', legend: null, scale: { domain: ['delivery', 'bid'], range: [[1, 0], [5, 3]] } },
      },
    },
    ...knee,
  ]);
}

/** Deliveries per second against their commit-to-watcher percentiles, each point labelled with its offered rate. */
export function deliveriesVsLatencyChart(points: readonly RatePoint[], o: LineChartOptions): ReportChart {
  const values = points.flatMap((p) =>
    p.commit
      ? (
          [
            ['p50', p.commit.p50Ms],
            ['p99', p.commit.p99Ms],
            ['p99.9', p.commit.p999Ms],
          ] as const
        ).map(([series, ms]) => ({ deliveries: p.deliveriesPerSec, series: `commit-to-watcher ${series}`, ms: logMs(ms), label: series === 'p99' ? `${p.offeredPerSec}/s` : '' }))
      : [],
  );
  const x = { field: 'deliveries', type: 'quantitative', title: 'deliveries/s (event frames received by all watchers)' };
  const y = { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'commit-to-watcher, ms (log scale)' };
  return lineChart('deliveries-vs-latency', o, values, [
    {
      mark: { type: 'line', point: true },
      encoding: { x, y, color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 300 } } },
    },
    { mark: { type: 'text', align: 'left', baseline: 'top', dx: 5, dy: 3, fontSize: 10 }, encoding: { x, y, text: { field: 'label' } } },
  ]);
}

/** One contender of `hot` or `spread`. */
export interface ContenderBar {
  contender: string;
  acceptedPerSec: number;
  p99Ms: number;
}

// One horizontal bar chart of a field, each bar labelled with its value.
function barPanel(field: keyof ContenderBar, title: string, showLabels: boolean, rows: number): Record<string, unknown> {
  const y = { field: 'contender', type: 'nominal', sort: null, title: null, axis: showLabels ? {} : null };
  return {
    width: 240,
    height: rows * 34,
    layer: [
      { mark: 'bar', encoding: { y, x: { field, type: 'quantitative', title }, color: { field: 'contender', type: 'nominal', legend: null, sort: null } } },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { y, x: { field, type: 'quantitative' }, text: { field, type: 'quantitative', format: ',.0f' } } },
    ],
  };
}

/** The contenders side by side: accepted bids/s and p99 latency. */
export function contendersChart(bars: readonly ContenderBar[], o: { title: string; subtitle: string | string[] }): ReportChart {
  return {
    name: 'contenders',
    spec: {
      $schema: SCHEMA,
      title: { text: o.title, subtitle: o.subtitle },
      data: { values: bars.map((b) => ({ ...b, p99Ms: Math.round(b.p99Ms * 10) / 10 })) },
      // The contenders' names are long: let them be read whole (headless, Vega estimates text widths generously).
      config: { axisY: { labelLimit: 480 } },
      hconcat: [barPanel('acceptedPerSec', 'accepted bids/s', true, bars.length), barPanel('p99Ms', 'p99 latency, ms', false, bars.length)],
    },
  };
}
