// What a reliability test tried and what it lost, one line per fault, printed
// (and appended to $NB_RELIABILITY_LOG when set) once its assertions have passed,
// so that docs/reliability.md quotes real runs: `npm run reliability:table`.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';

export interface Tally {
  /** The fault or bad input, as the table names it. */
  fault: string;
  /** Operations sent while it happened. */
  operations: number;
  /** What was checked, with its counts. */
  checked: string;
  /** Acknowledged work missing, refused work applied, or money changed: must be 0. */
  lost: number;
}

export function report(t: Tally): void {
  const path = expect.getState().testPath;
  const line = JSON.stringify({ ...t, file: path ? relative(process.cwd(), path) : undefined });
  console.log(`[reliability] ${line}`);
  if (process.env.NB_RELIABILITY_LOG) appendFileSync(process.env.NB_RELIABILITY_LOG, `${line}\n`);
}
