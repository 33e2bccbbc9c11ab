// `scripts/cluster.sh` (npm run cluster): starts PostgreSQL, PgBouncer, three
// daemons and HAProxy on this machine, prints where they are, and stops them
// all (by pid) on Ctrl-C or SIGTERM.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from './cluster.js';
import { findProgram, programVersion } from './programs.js';

const USAGE = `usage: scripts/cluster.sh [--port <n>] [--dir <dir>] [--keep] [-- <daemon flags>]

  --port <n>   HAProxy's port on 127.0.0.1 (default: a free one)
  --dir <dir>  where PostgreSQL, PgBouncer, the daemons and HAProxy keep their files
               (default: a new temporary directory, removed at the end unless --keep)
  --keep       leave the directory in place at the end
  after --, flags for every 'neighborbid daemon' (e.g. --rate-limit 0)`;

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      options: { port: { type: 'string' }, dir: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (flags.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = flags.values.port === undefined ? undefined : Number(flags.values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    process.stderr.write(`--port must be a port number\n${USAGE}\n`);
    return 2;
  }
  const dir = flags.values.dir ?? (await mkdtemp(join(tmpdir(), 'nb-cluster-')));
  // As root, PostgreSQL and PgBouncer run as the postgres user, which must pass through it.
  if (process.getuid?.() === 0 && !flags.values.dir) await chmod(dir, 0o711);
  const say = (m: string) => process.stderr.write(`cluster: ${m}\n`);

  let cluster: Cluster | undefined;
  let stopping: Promise<void> | undefined;
  let stopped = false;
  const stop = () =>
    (stopping ??= (async () => {
      say('stopping HAProxy, the daemons, PgBouncer and PostgreSQL');
      await cluster?.stop();
      stopped = true;
      if (!flags.values.dir && !flags.values.keep) await rm(dir, { recursive: true, force: true });
      else say(`files kept in ${dir}`);
    })());
  // A crash of this script must not leave the processes behind: kill them by pid.
  process.on('exit', () => {
    if (stopped) return;
    for (const pid of cluster ? [cluster.haproxy.pid, ...cluster.daemons.map((d) => d.process?.pid), cluster.pgbouncer.pid, cluster.postgres.pid] : []) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const done = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(resolve));
  });

  try {
    cluster = await startCluster({ dir, port, daemonArgs: flags.positionals, log: say });
  } catch (err) {
    say(`could not start: ${(err as Error).message}`);
    await stop();
    return 1;
  }
  const c = cluster;
  const pgbouncer = programVersion(findProgram('pgbouncer')!);
  const haproxy = programVersion(findProgram('haproxy')!).replace(/ - https:.*/, '');
  process.stdout.write(
    [
      `neighborbid cluster, all on 127.0.0.1 (Ctrl-C stops everything):`,
      `  HAProxy     ${c.url}  (status page ${c.haproxy.statsUrl}; pid ${c.haproxy.pid}; ${haproxy})`,
      ...c.daemons.map((d) => `  daemon ${d.name}   ${d.url}  (pid ${d.process?.pid}; log ${d.logFile})`),
      `  PgBouncer   127.0.0.1:${c.pgbouncer.port}  (transaction pooling; pid ${c.pgbouncer.pid}; ${pgbouncer})`,
      `  PostgreSQL  127.0.0.1:${c.postgres.port}  (pid ${c.postgres.pid}; cluster in ${c.postgres.clusterDir})`,
      ``,
      `  export NEIGHBORBID_URL=${c.url} NEIGHBORBID_ADMIN_TOKEN=${c.adminToken}`,
      `  npx neighborbid user create alice --balance 1000`,
      ``,
    ].join('\n'),
  );
  await done;
  return 0;
}

process.exitCode = await main();
