// The package's version, read from package.json wherever this file was built to.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

function findVersion(): string {
  const root = packageRoot();
  if (root === undefined) return '0.0.0';
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export const VERSION = findVersion();
