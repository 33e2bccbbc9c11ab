// The outside programs a cluster runs, from the distribution's packages:
// PgBouncer and HAProxy. Found on PATH or in the sbin directories Debian puts
// them in (not on a normal user's PATH); installed with apt-get when missing
// and we are root, else the user is told the command.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian package name of each program. */
const PACKAGES = { pgbouncer: 'pgbouncer', haproxy: 'haproxy' } as const;
export type Program = keyof typeof PACKAGES;

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The program's path, or undefined when it is not installed. */
export function findProgram(name: Program): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** Paths of the programs, installing the missing ones (as root, with apt-get). */
export function ensurePrograms(names: Program[], log: (m: string) => void = () => {}): Record<Program, string> {
  const missing = names.filter((n) => !findProgram(n));
  if (missing.length > 0) {
    const pkgs = missing.map((n) => PACKAGES[n]);
    const command = `apt-get install -y ${pkgs.join(' ')}`;
    if (process.getuid?.() !== 0 || !findAptGet()) {
      throw new Error(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed; install ${missing.length > 1 ? 'them' : 'it'} first (Debian/Ubuntu: sudo ${command})`);
    }
    log(`installing ${pkgs.join(' and ')} (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { env, encoding: 'utf8' });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { env, encoding: 'utf8' });
    if (install.status !== 0) {
      throw new Error(`${command} failed:\n${(update.stderr ?? '') + (install.stderr || install.stdout || String(install.error))}`);
    }
  }
  const out = {} as Record<Program, string>;
  for (const n of names) {
    const path = findProgram(n);
    if (!path) throw new Error(`${n} is still missing after installing package ${PACKAGES[n]}`);
    out[n] = path;
  }
  return out;
}

function findAptGet(): boolean {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The first line of `program -V` (both PgBouncer and HAProxy print their version so). */
export function programVersion(path: string): string {
  const r = spawnSync(path, ['-V'], { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0]!.trim();
}
