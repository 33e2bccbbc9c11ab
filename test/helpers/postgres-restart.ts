// Restarting a test PostgreSQL in place (same port, same data), as an operator
// would with pg_ctl, to test what clients live through a database restart.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

function pgCtl(clusterDir: string): string {
  // postmaster.opts holds the server's command line; its first word is the binary.
  const first = readFileSync(join(clusterDir, 'postmaster.opts'), 'utf8').trim().split(/\s+/)[0]!;
  return join(dirname(first.replace(/^"|"$/g, '')), 'pg_ctl');
}

/** Fast-stops and starts the server of a cluster with its own options; resolves once it accepts connections. */
export function restartPostgres(clusterDir: string): void {
  // As root, PostgreSQL runs as the owner of its cluster directory; so must pg_ctl.
  const { uid, gid } = statSync(clusterDir);
  const ids = process.getuid?.() === 0 ? { uid, gid } : {};
  const r = spawnSync(pgCtl(clusterDir), ['restart', '-D', clusterDir, '-m', 'fast', '-w', '-t', '120', '-l', join(clusterDir, 'restart.log')], {
    ...ids,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`pg_ctl restart failed: ${r.stderr || r.stdout || String(r.error)}`);
}

/** Stops whatever server runs the cluster now (SIGINT, then waits), e.g. one restarted by pg_ctl. */
export async function stopPostgres(clusterDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, 'SIGKILL');
}
