// How many files a process may hold open (RLIMIT_NOFILE, soft and hard), and
// the command line that starts a child with its soft limit raised as far as
// the hard one allows: the load scenario's daemon and watcher processes each
// hold thousands of sockets, past the soft limit of 1,024 many systems start with.
import { readFileSync } from 'node:fs';

export interface OpenFiles {
  soft: number;
  hard: number;
}

/** Linux's default ceiling (fs.nr_open) for an "unlimited" hard limit. */
const NR_OPEN = 1_048_576;

/** This process's open-files limits, from /proc/self/limits; 1,024 each where that cannot be read. */
export function openFilesLimit(): OpenFiles {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const n = (s: string) => (s === 'unlimited' ? NR_OPEN : Number(s));
    if (m) return { soft: n(m[1]!), hard: n(m[2]!) };
  } catch {
    // not Linux: assume the common default
  }
  return { soft: 1024, hard: 1024 };
}

/** The files a child started through withOpenFiles may hold open: the hard limit. */
export function childOpenFiles(): number {
  return openFilesLimit().hard;
}

/**
 * The command and arguments that run `file args` with its soft open-files
 * limit raised to the hard limit (through `sh -c 'ulimit -S -n …; exec …'`,
 * the same pid), or unchanged when the soft limit is already there.
 */
export function withOpenFiles(file: string, args: string[]): [string, string[]] {
  const { soft, hard } = openFilesLimit();
  if (soft >= hard) return [file, args];
  return ['/bin/sh', ['-c', `ulimit -S -n ${hard} && exec "$0" "$@"`, file, ...args]];
}
