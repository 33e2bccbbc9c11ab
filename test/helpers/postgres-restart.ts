// Restarting a test PostgreSQL in place (same port, same data), as an operator
// would with pg_ctl, to test what clients live through a database restart.
import { spawn, spawnSync } from 'node:child_process';
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

/** Runs pg_ctl as the cluster's owner without blocking the event loop (the test's own clients keep going). */
function pgCtlAsync(clusterDir: string, args: string[]): Promise<void> {
  const { uid, gid } = statSync(clusterDir);
  const ids = process.getuid?.() === 0 ? { uid, gid } : {};
  return new Promise((ok, fail) => {
    const child = spawn(pgCtl(clusterDir), args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`pg_ctl ${args[0]} failed (${code}): ${out}`))));
  });
}

/**
 * An outage: fast-stops the cluster's server (every connection is terminated),
 * keeps it down for `downMs`, and starts it again with its own options on the
 * same port; resolves once it accepts connections. Never blocks the event loop.
 */
export async function postgresOutage(clusterDir: string, downMs: number, onDown?: () => void): Promise<void> {
  // postmaster.opts: the binary, then each argument in double quotes; pg_ctl adds -D itself.
  const args = readFileSync(join(clusterDir, 'postmaster.opts'), 'utf8').trim().match(/"[^"]*"/g) ?? [];
  const options: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '"-D"') i++;
    else options.push(args[i]!);
  }
  await pgCtlAsync(clusterDir, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '120']);
  onDown?.();
  await new Promise((r) => setTimeout(r, downMs));
  await pgCtlAsync(clusterDir, ['start', '-D', clusterDir, '-w', '-t', '120', '-l', join(clusterDir, 'restart.log'), '-o', options.join(' ')]);
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
