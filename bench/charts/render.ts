// Renders a report's charts (Vega-Lite specs) to SVG with Vega, headless (its
// 'none' renderer: no canvas, no browser), and writes them next to the JSON
// report, and with --charts-dir under stable names too (the README's charts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report, ReportChart } from '../harness/report.js';

/** A Vega-Lite spec as an SVG document. */
export async function renderSvg(spec: ReportChart['spec']): Promise<string> {
  // Loaded only when a run has charts: Vega is large and most runs never need it.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Writes each chart of the report as `<report file without .json>-<name>.svg`,
 * and as `<chartsDir>/<scenario>-<name>.svg` when chartsDir is given; returns the paths.
 */
export async function writeCharts(report: Report, reportFile: string, chartsDir?: string): Promise<string[]> {
  const paths: string[] = [];
  if (chartsDir) await mkdir(chartsDir, { recursive: true });
  for (const chart of report.charts ?? []) {
    const svg = await renderSvg(chart.spec);
    const beside = `${reportFile.replace(/\.json$/, '')}-${chart.name}.svg`;
    await writeFile(beside, svg);
    paths.push(beside);
    if (chartsDir) {
      const stable = join(chartsDir, `${report.scenario}-${chart.name}.svg`);
      await writeFile(stable, svg);
      paths.push(stable);
    }
  }
  return paths;
}
