// Long-running child processes of a cluster (PgBouncer, HAProxy, daemons):
// started in the foreground so that we hold their pid, logging to a file,
// ready once their port accepts connections, stopped by that pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

export interface Ids {
  uid: number;
  gid: number;
}

export interface RunningProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (null after a signal) once the process is gone. */
  exited: Promise<number | null>;
  /** True while the process runs. */
  alive(): boolean;
  /** Sends `signal`, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

export interface StartOptions {
  /** Where stdout and stderr go (appended). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (PgBouncer refuses to run as root). */
  ids?: Ids | undefined;
  /** The port it listens on once ready. */
  port: number;
  timeoutMs?: number;
}

/** Starts a program and resolves once its port accepts a connection; kills it if it does not. */
export async function startProcess(command: string, args: string[], o: StartOptions): Promise<RunningProcess> {
  const fd = openSync(o.logFile, 'a', 0o600);
  const child = spawn(command, args, { ...o.ids, env: o.env ?? process.env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const running = wrap(child);
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  while (!(await accepts(o.port))) {
    if (!running.alive() || Date.now() > deadline) {
      await running.stop('SIGKILL');
      const tail = readFileSync(o.logFile, 'utf8').split('\n').slice(-12).join('\n');
      throw new Error(`${command} did not start listening on port ${o.port}; the end of ${o.logFile}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return running;
}

/** The handle of a child process we started. */
export function wrap(child: ChildProcess): RunningProcess {
  const exited = new Promise<number | null>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode);
    else child.once('exit', (code) => r(code));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid!,
    child,
    exited,
    alive,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (!alive()) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no free port'))));
    });
  });
}

/** The uid and gid of a system user, or undefined when there is none. */
export function userIds(name: string): Ids | undefined {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}
