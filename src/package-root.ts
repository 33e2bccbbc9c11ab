// Where the package is, found from this file both as source (tests run it
// through vitest) and compiled (dist/src), in a checkout or installed from npm.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root: the first directory above this file whose package.json names neighborbid; undefined if none does. */
export function packageRoot(): string | undefined {
  for (let dir = import.meta.dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'neighborbid') return dir;
    } catch {
      // not here; look one level up
    }
  }
  return undefined;
}
