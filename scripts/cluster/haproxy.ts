// HAProxy from docs/haproxy.cfg, the documented configuration itself, with
// the addresses it reads from the environment filled in.
import { join } from 'node:path';
import { packageRoot } from './paths.js';
import { findProgram } from './programs.js';
import { freePort, startProcess, type RunningProcess } from './process.js';

/** The servers docs/haproxy.cfg names (NB_DAEMON_1 … NB_DAEMON_3). */
export const HAPROXY_SERVERS = 3;

export interface HaproxyOptions {
  /** Ports of the daemons, in the order of the configuration's servers d1, d2, d3. */
  daemonPorts: number[];
  logFile: string;
  port?: number;
}

export interface Haproxy {
  /** http://127.0.0.1:port, where clients connect. */
  url: string;
  port: number;
  /** HAProxy's status page. */
  statsUrl: string;
  pid: number;
  process: RunningProcess;
  stop(): Promise<void>;
}

/** The documented configuration, which is also the one run. */
export function haproxyConfigFile(): string {
  return join(packageRoot(), 'docs', 'haproxy.cfg');
}

/** Starts HAProxy in the foreground on loopback ports; resolves once it listens. */
export async function startHaproxy(o: HaproxyOptions): Promise<Haproxy> {
  const binary = findProgram('haproxy');
  if (!binary) throw new Error('haproxy is not installed (ensurePrograms installs it)');
  if (o.daemonPorts.length !== HAPROXY_SERVERS) throw new Error(`docs/haproxy.cfg has ${HAPROXY_SERVERS} servers; got ${o.daemonPorts.length} daemons`);
  const port = o.port ?? (await freePort());
  const stats = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NB_FRONT: `127.0.0.1:${port}`, NB_STATS: `127.0.0.1:${stats}` };
  o.daemonPorts.forEach((p, i) => (env[`NB_DAEMON_${i + 1}`] = `127.0.0.1:${p}`));
  // -db: stay in the foreground, so the pid we hold is HAProxy's.
  const running = await startProcess(binary, ['-db', '-f', haproxyConfigFile()], { logFile: o.logFile, env, port });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    statsUrl: `http://127.0.0.1:${stats}/`,
    pid: running.pid,
    process: running,
    async stop() {
      // SIGUSR1 would wait for every WebSocket to end; we are stopping the daemons anyway.
      await running.stop('SIGTERM');
    },
  };
}
