// Where the package and its programs are, found from this file both as source
// (tests run it through vitest) and compiled (dist/bench/harness). The one
// place the bench, its watcher processes and its probes learn these paths.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root: the first directory above this file with bin/neighborbid.js. */
export function packageRoot(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'neighborbid.js'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the neighborbid package above the bench');
  }
}

/** The CLI, bin/neighborbid.js: what the bench runs as `neighborbid`. */
export function binPath(): string {
  return join(packageRoot(), 'bin', 'neighborbid.js');
}

/** A compiled bench module under dist/bench, e.g. compiledBench('watchers', 'watcher-process.js'). */
export function compiledBench(...parts: string[]): string {
  return join(packageRoot(), 'dist', 'bench', ...parts);
}

/** Where reports go unless --report-dir says otherwise: bench/reports (ignored by git). */
export function reportsDir(): string {
  return join(packageRoot(), 'bench', 'reports');
}
