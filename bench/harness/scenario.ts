// The frame every scenario runs in: machine facts, timing, the report; and
// its options, the defaults with the flags that were given.
import { loadavg } from 'node:os';
import { VERSION } from '../../src/version.js';
import { header, machineInfo, round2, type Machine, type Report, type ReportChart } from './report.js';
import { serverFacts, type BenchEnv } from './session.js';

export interface ScenarioOutcome {
  figures: Report['figures'];
  /** The scenario's tables; the machine header is added in front. */
  markdown: string;
  problems: string[];
  details: Record<string, unknown>;
  /** Charts to render beside the report (bench/charts/). */
  charts?: ReportChart[];
}

/** Runs body and wraps what it found in a report with the machine's state before and after. */
export async function withReport(
  scenario: string,
  env: BenchEnv,
  options: Record<string, unknown>,
  body: () => Promise<ScenarioOutcome>,
): Promise<Report> {
  const startedAt = new Date().toISOString();
  const machine: Machine = { ...machineInfo(), ...(await serverFacts(env.databaseUrl)) };
  const out = await body();
  machine.loadAtEnd = loadavg().map(round2);
  const problems = out.problems.length ? `\n**Problems:**\n${out.problems.map((p) => `- ${p}`).join('\n')}\n` : '';
  return {
    scenario,
    neighborbid: VERSION,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    options,
    ...out,
    markdown: `${header({ scenario, machine, startedAt })}\n${out.markdown}\n${problems}`,
  };
}

/** The flags that were given: those left undefined are dropped, so that the defaults stand. */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
