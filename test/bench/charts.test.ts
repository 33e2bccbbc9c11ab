// The bench's chart writer: Vega-Lite specs rendered headless to SVG files
// that are well-formed documents naming every series, next to the report and
// under stable names in --charts-dir; and the terminal's sparkline.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCharts } from '../../bench/charts/render.js';
import { sparkline, sparklineText } from '../../bench/charts/sparkline.js';
import { contendersChart, deliveriesVsLatencyChart, latencyVsOfferedChart, LATENCY_SERIES, type RatePoint } from '../../bench/charts/specs.js';
import type { Report } from '../../bench/harness/report.js';
import { tempDir } from '../helpers/daemon.js';

/** Throws unless every tag is closed in order under one <svg> root (an XML well-formedness check of the tags). */
function assertWellFormedSvg(svg: string): void {
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="\d+(\.\d+)?" height="\d+(\.\d+)?"/);
  const open: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let at = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    // Between tags only text: no stray '<'.
    expect(svg.slice(at, m.index)).not.toContain('<');
    at = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(open.pop()).toBe(name);
    else if (!selfClosing) open.push(name!);
    if (open.length === 0) expect(at).toBe(svg.length);
  }
  expect(open).toEqual([]);
}

const points: RatePoint[] = [100, 200, 400].map((rate, i) => ({
  offeredPerSec: rate,
  deliveriesPerSec: rate * 200,
  commit: { p50Ms: 5 + i, p99Ms: 20 + 20 * i, p999Ms: 30 + 30 * i },
  bid: { p50Ms: 4 + i, p99Ms: 15 + 40 * i },
}));

describe('the chart writer', () => {
  it('writes each chart as a well-formed SVG beside the report and under its stable name, with every series named', async () => {
    const dir = await tempDir('nb-charts-');
    try {
      const report = {
        scenario: 'load',
        charts: [
          latencyVsOfferedChart(points, { title: 'latency against offered load', subtitle: 'test', boundMs: 50, kneePerSec: 200 }),
          deliveriesVsLatencyChart(points, { title: 'deliveries against latency', subtitle: 'test', boundMs: 50 }),
          contendersChart(
            [
              { contender: '(a) SQL statement by statement, 1 bid/tx', acceptedPerSec: 329, p99Ms: 913.9 },
              { contender: '(b) SQL nb_place_bids call, 1 bid/tx', acceptedPerSec: 505, p99Ms: 626.7 },
              { contender: 'daemon over HTTP, group commit', acceptedPerSec: 3740, p99Ms: 29.2 },
            ],
            { title: 'hot', subtitle: 'test' },
          ),
        ],
      } as unknown as Report;
      const paths = await writeCharts(report, join(dir.path, 'load-2026-01-01T00-00-00-000Z.json'), join(dir.path, 'charts'));
      expect(paths.map((p) => p.slice(dir.path.length + 1))).toEqual([
        'load-2026-01-01T00-00-00-000Z-latency-vs-offered.svg', 'charts/load-latency-vs-offered.svg',
        'load-2026-01-01T00-00-00-000Z-deliveries-vs-latency.svg', 'charts/load-deliveries-vs-latency.svg',
        'load-2026-01-01T00-00-00-000Z-contenders.svg', 'charts/load-contenders.svg',
      ]);
      expect((await readdir(join(dir.path, 'charts'))).sort()).toEqual(['load-contenders.svg', 'load-deliveries-vs-latency.svg', 'load-latency-vs-offered.svg']);
      const [latency, deliveries, contenders] = await Promise.all(paths.filter((_, i) => i % 2 === 1).map((p) => readFile(p, 'utf8')));
      for (const svg of [latency!, deliveries!, contenders!]) assertWellFormedSvg(svg);
      // Every series in the legend, the bound and the knee marked.
      for (const series of LATENCY_SERIES) expect(latency).toContain(`>${series}</text>`);
      expect(latency).toContain('>knee: 200 bids/s</text>');
      expect(latency).toContain('>50 ms</text>');
      for (const series of ['commit-to-watcher p50', 'commit-to-watcher p99', 'commit-to-watcher p99.9']) expect(deliveries).toContain(`>${series}</text>`);
      expect(deliveries).toContain('>400/s</text>');
      // Whole: the longest contender's name is not cut short with an ellipsis.
      for (const label of ['(a) SQL statement by statement, 1 bid/tx', '(b) SQL nb_place_bids call, 1 bid/tx', 'daemon over HTTP, group commit', 'accepted bids/s', 'p99 latency, ms', '3,740']) {
        expect(contenders).toContain(`>${label}</text>`);
      }
    } finally {
      await dir.remove();
    }
  });
});

describe('sparkline', () => {
  it('draws each second from ▁ (none) to █ (the busiest)', () => {
    expect(sparkline([0, 100, 50, 100, 0])).toBe('▁█▅█▁');
    expect(sparkline([7, 7, 7])).toBe('███');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparklineText([800, 1000])).toBe('▇█ (min 800, max 1,000 bids/s)');
    expect(sparklineText([])).toBe('n/a (under a second)');
  });
});
