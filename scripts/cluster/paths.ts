// Where the package is, found from this file both as source (tests run it
// through vitest) and compiled (dist/scripts/cluster).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root: the first directory above this file with bin/neighborbid.js. */
export function packageRoot(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'neighborbid.js'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the neighborbid package above scripts/cluster');
  }
}
