// CPU used by the processes of a measured phase, read from /proc: the daemon,
// the PostgreSQL server with its backends, and the bench itself. On a machine
// where they all share the cores, CPU per bid is what throughput is made of,
// and it is less disturbed by other work on the machine than bids/s.
import { readdir, readFile } from 'node:fs/promises';

// The fields of /proc/<pid>/stat after the command name: state is [0], ppid [1],
// utime [11] and stime [12] (clock ticks, 100 a second on Linux).
async function statFields(pid: number | string): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const ticks = (f: string[]) => (Number(f[11]) + Number(f[12])) / 100;

/** CPU seconds (user + system) a process has used so far; undefined without /proc. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const f = await statFields(pid);
  return f && ticks(f);
}

/**
 * CPU seconds used so far by a process and its live children (a PostgreSQL
 * server and its backends); undefined without /proc.
 */
export async function treeCpuSeconds(pid: number): Promise<number | undefined> {
  const own = await statFields(pid);
  if (!own) return undefined;
  let total = ticks(own);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = await statFields(entry);
    if (f && Number(f[1]) === pid) total += ticks(f);
  }
  return total;
}

export interface CpuUse {
  /** CPU seconds of the daemon process, when there was one. */
  daemon?: number;
  /** CPU seconds of the daemon, the PostgreSQL server and its backends, and this process. */
  total: number;
}

/**
 * Starts measuring the CPU of a phase. stop() must be called while the
 * phase's database connections are still open (a backend's CPU leaves the sum
 * when it exits); it resolves undefined without /proc or a known server pid.
 */
export async function startCpuMeter(pids: { daemon?: number | undefined; server?: number | undefined }) {
  const read = async () => ({
    daemon: pids.daemon === undefined ? 0 : await cpuSeconds(pids.daemon),
    server: pids.server === undefined ? undefined : await treeCpuSeconds(pids.server),
  });
  const before = await read();
  const self = process.cpuUsage();
  return {
    async stop(): Promise<CpuUse | undefined> {
      const mine = process.cpuUsage(self);
      const after = await read();
      if (before.daemon === undefined || after.daemon === undefined || before.server === undefined || after.server === undefined) {
        return undefined;
      }
      const daemon = after.daemon - before.daemon;
      return {
        ...(pids.daemon === undefined ? {} : { daemon }),
        total: daemon + (after.server - before.server) + (mine.user + mine.system) / 1e6,
      };
    },
  };
}
