// Every run's result: a JSON report on disk (bench/reports/, ignored by git),
// a markdown table on stdout, and with --compare the change against an older
// report. Figures are keyed so that any two reports of a scenario compare.
import { cpus, loadavg, platform, release } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportsDir } from './paths.js';

export interface Figure {
  /** Stable key for comparisons, e.g. "daemon.acceptedPerSec". */
  key: string;
  value: number;
  unit: string;
  /** True when a larger value is better (throughput), false when smaller is (latency). */
  higherIsBetter: boolean;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  platform: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started and ended. */
  loadAtStart: number[];
  loadAtEnd?: number[];
  postgres?: string;
  settings?: Record<string, string>;
}

/** A chart of a run: a Vega-Lite spec with its data inline, rendered to SVG next to the report (bench/charts/). */
export interface ReportChart {
  /** Names the file: `<report>-<name>.svg`, and `<scenario>-<name>.svg` in --charts-dir. */
  name: string;
  spec: Record<string, unknown>;
}

export interface Report {
  scenario: string;
  neighborbid: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  options: Record<string, unknown>;
  figures: Figure[];
  /** What the run checked and found wrong; empty means it passed. */
  problems: string[];
  /** The markdown the run printed. */
  markdown: string;
  /** Anything else the scenario wants to keep (raw counts, histograms). */
  details: Record<string, unknown>;
  /** The run's charts, when it has any. */
  charts?: ReportChart[];
}

export function machineInfo(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    platform: `${platform()} ${release()}`,
    node: process.version,
    loadAtStart: loadavg().map(round2),
  };
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
export const round2 = (n: number) => Math.round(n * 100) / 100;

/** 12345.6 → "12,346"; below 100 one decimal, below 10 two. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return (Math.abs(n) >= 10 ? round1(n) : round2(n)).toLocaleString('en-US');
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c)).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function header(report: Pick<Report, 'scenario' | 'machine' | 'startedAt'>, extra = ''): string {
  const m = report.machine;
  return (
    `## neighborbid bench ${report.scenario} — ${report.startedAt}\n\n` +
    `${m.cpus} × ${m.cpuModel}, ${m.platform}, Node ${m.node}` +
    (m.postgres ? `, ${m.postgres}` : '') +
    (m.settings ? ` (${Object.entries(m.settings).map(([k, v]) => `${k}=${v}`).join(', ')})` : '') +
    `; load average at start ${m.loadAtStart.join(' / ')}` +
    (m.loadAtEnd ? `, at end ${m.loadAtEnd.join(' / ')}` : '') +
    (extra ? `\n${extra}` : '') +
    '\n'
  );
}

/** A figure a scenario aims at: its key and the bound it must reach. */
export interface Target {
  what: string;
  key: string;
  atLeast?: number;
  atMost?: number;
}

/** Each target with the figure reached and whether it is met. */
export function targetsTable(targets: Target[], figures: Figure[]): { markdown: string; unmet: string[] } {
  const unmet: string[] = [];
  const rows = targets.map((t) => {
    const f = figures.find((x) => x.key === t.key);
    const met = f !== undefined && (t.atLeast === undefined || f.value >= t.atLeast) && (t.atMost === undefined || f.value <= t.atMost);
    if (!met) unmet.push(t.what);
    return [t.what, f ? `${f.value} ${f.unit}` : 'not measured', met ? 'met' : 'NOT met'];
  });
  return { markdown: table(['target (2-core machine)', 'reached', ''], rows), unmet };
}

/** Writes the report as JSON; returns its path. */
export async function writeReport(report: Report, dir = reportsDir()): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${report.scenario}-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export async function readReport(file: string): Promise<Report> {
  const r = JSON.parse(await readFile(file, 'utf8')) as Report;
  if (!r || !Array.isArray(r.figures) || typeof r.scenario !== 'string') throw new Error(`${file} is not a bench report`);
  return r;
}

/** A markdown table of every figure both reports have, with the change and whether it is better. */
export function compareReports(old: Report, now: Report): string {
  const rows: string[][] = [];
  for (const f of now.figures) {
    const o = old.figures.find((x) => x.key === f.key);
    if (!o) continue;
    const change = o.value === 0 ? (f.value === 0 ? 0 : Infinity) : ((f.value - o.value) / Math.abs(o.value)) * 100;
    const better = f.value === o.value ? '=' : (f.value > o.value) === f.higherIsBetter ? 'better' : 'worse';
    rows.push([f.key, `${fmt(o.value)} ${f.unit}`, `${fmt(f.value)} ${f.unit}`, `${change >= 0 ? '+' : ''}${round1(change)}%`, better]);
  }
  const changed = optionChanges(old, now);
  const title =
    `### Compared with ${old.scenario} of ${old.startedAt}` +
    (old.scenario !== now.scenario ? ' (another scenario!)' : '') +
    (changed.length ? `\n\nRun with other options: ${changed.join('; ')}.` : '');
  return rows.length ? `${title}\n\n${table(['figure', 'before', 'now', 'change', ''], rows)}\n` : `${title}\n\nNo figures in common.\n`;
}

/** The options the two runs differ in, as `name before → now` (a figure's change may be the option's). */
function optionChanges(old: Report, now: Report): string[] {
  const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));
  const names = [...new Set([...Object.keys(old.options ?? {}), ...Object.keys(now.options ?? {})])];
  return names
    .filter((n) => show(old.options?.[n]) !== show(now.options?.[n]))
    .map((n) => `${n} ${show(old.options?.[n])} → ${show(now.options?.[n])}`);
}
