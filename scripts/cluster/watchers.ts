// Watcher processes from the side that runs them (the kill test in test/cluster,
// presence-cost.ts): forks them (watcher-process.ts, compiled: npm run
// test:cluster builds first), deals the watchers out among them, and merges
// what they report. Each process is stopped by its pid at the end.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from './paths.js';
import type { FromWatchers, ToWatchers, WatchersResult } from './watcher-protocol.js';

export interface WatcherProcesses {
  pids: number[];
  /** Sockets per daemon id, over all processes. */
  perDaemon(): Record<string, number>;
  /** Tells every process which daemon died when, and the versions committed by then; resolves with how many watchers were on it. */
  killed(daemonId: string, at: number, versions: Map<number, number>): Promise<number>;
  /** Watchers of the killed daemon not whole again yet, over all processes. */
  notWhole(): Promise<number>;
  /** Every second, `perSecond` watchers (over all processes) leave and as many come; 0 stops it. */
  churn(perSecond: number): Promise<void>;
  /** Waits for the final versions, checks against the outbox and merges the reports. */
  finish(finals: Map<number, number>, outbox: [number, number, string][], timeoutMs: number): Promise<WatchersResult>;
  close(): Promise<void>;
}

interface Child {
  child: ChildProcess;
  ask<K extends FromWatchers['op']>(m: ToWatchers, reply: K, timeoutMs?: number): Promise<Extract<FromWatchers, { op: K }>>;
}

function startChild(): Child {
  const child = fork(join(packageRoot(), 'dist', 'scripts', 'cluster', 'watcher-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    child,
    ask(m, reply, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`watcher process ${child.pid}: no '${reply}' in ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (a: FromWatchers) => {
          if (a.op === 'failed') done(new Error(`watcher process ${child.pid}: ${a.message}`));
          else if (a.op === reply) done(undefined, a as never);
        };
        const onExit = (code: number | null) => done(new Error(`watcher process ${child.pid} exited with ${code}`));
        function done(err?: Error, value?: never) {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (err) reject(err);
          else resolve(value!);
        }
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(m);
      });
    },
  };
}

/**
 * Forks `processes` watcher processes and opens the watchers (each a list of
 * auctions) through `url`, dealt round robin; with `presence`, they ask for presence frames.
 */
export async function openWatchers(url: string, watchers: number[][], processes: number, presence = false): Promise<WatcherProcesses> {
  const children = Array.from({ length: processes }, startChild);
  let opened: Record<string, number>[] = [];
  const close = async () => {
    await Promise.all(
      children.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((r) => child.once('exit', r));
        if (child.connected) child.send({ op: 'close' } satisfies ToWatchers);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }),
    );
  };
  try {
    const answers = await Promise.all(
      children.map((c, i) => c.ask({ op: 'open', url, watchers: watchers.filter((_, w) => w % processes === i), parallel: 50, presence }, 'opened', 600_000)),
    );
    opened = answers.map((a) => a.perDaemon);
  } catch (err) {
    await close();
    throw err;
  }
  const sum = (bags: Record<string, number>[]) => {
    const out: Record<string, number> = {};
    for (const bag of bags) for (const [k, n] of Object.entries(bag)) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  return {
    pids: children.map((c) => c.child.pid!),
    perDaemon: () => sum(opened),
    async killed(daemonId, at, versions) {
      const answers = await Promise.all(children.map((c) => c.ask({ op: 'killed', daemonId, at, versions: [...versions] }, 'marked')));
      return answers.reduce((s, a) => s + a.affected, 0);
    },
    async churn(perSecond) {
      await Promise.all(children.map((c, i) => c.ask({ op: 'churn', perSecond: Math.floor(perSecond / processes) + (i < perSecond % processes ? 1 : 0) }, 'churning')));
    },
    async notWhole() {
      const answers = await Promise.all(children.map((c) => c.ask({ op: 'progress' }, 'progress')));
      return answers.reduce((s, a) => s + a.notWhole, 0);
    },
    async finish(finals, outbox, timeoutMs) {
      const results = await Promise.all(
        children.map((c) => c.ask({ op: 'finish', finals: [...finals], outbox, timeoutMs }, 'result', timeoutMs + 60_000)),
      );
      const rs = results.map((r) => r.result);
      const total = (k: keyof WatchersResult) => rs.reduce((s, r) => s + (r[k] as number), 0);
      return {
        watchers: total('watchers'),
        streams: total('streams'),
        deliveries: total('deliveries'),
        lost: total('lost'),
        duplicates: total('duplicates'),
        outOfOrder: total('outOfOrder'),
        resnapshots: total('resnapshots'),
        notAsInOutbox: total('notAsInOutbox'),
        incomplete: total('incomplete'),
        affected: total('affected'),
        movedElsewhere: total('movedElsewhere'),
        attempts: total('attempts'),
        liveMs: rs.flatMap((r) => r.liveMs),
        wholeMs: rs.flatMap((r) => r.wholeMs),
        perDaemon: sum(rs.map((r) => r.perDaemon)),
      };
    },
    close,
  };
}

/** The p-th percentile (0–100) of a list, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
