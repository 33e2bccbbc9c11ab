// How many files a process may hold open: the load scenario's daemon and
// watcher processes each hold thousands of sockets. Node raises its own soft
// RLIMIT_NOFILE to the hard limit as it starts, so every Node process the
// bench starts may open as many files as the hard limit allows.
import { readFileSync } from 'node:fs';

/** Linux's default ceiling (fs.nr_open) for an "unlimited" hard limit. */
const NR_OPEN = 1_048_576;

/** The files a Node process started by the bench may hold open: the hard open-files limit (/proc/self/limits; 1,024 where that cannot be read). */
export function processOpenFiles(): number {
  try {
    const m = /^Max open files\s+\S+\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return m[1] === 'unlimited' ? NR_OPEN : Number(m[1]);
  } catch {
    // not Linux: assume the common default
  }
  return 1024;
}
