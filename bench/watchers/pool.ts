// The load scenario's watchers, from the bench's side: forks the watcher
// processes (watcher-process.ts), deals the sockets out among them, and merges
// what they report. Each process is registered with the bench's cleanup, so it
// is stopped by pid at the end, on Ctrl-C, or if the bench dies.
import { fork, type ChildProcess } from 'node:child_process';
import { ownChild } from '../harness/daemons.js';
import { processOpenFiles } from '../harness/open-files.js';
import { Latency } from '../measure/histogram.js';
import { compiledBench } from '../harness/paths.js';
import type { FromWatcher, SocketSpec, ToWatcher, WatcherResult } from './watcher-protocol.js';
import { socketUrl } from '../../src/client/socket-client.js';

/** What the watcher processes saw, together. */
export interface Deliveries extends Omit<WatcherResult, 'latency' | 'commitLatency' | 'seen'> {
  /** From each event's `at` to its arrival. */
  latency: Latency;
  /** From each event's commit to its arrival, or null without commit times. */
  commitLatency: Latency | null;
  /** (auction, version) → the bid id (or type) the watchers received for it. */
  seen: Map<number, Map<number, number | string>>;
}

export interface WatcherPool {
  pids: number[];
  /**
   * After a warm-up: waits until every stream has its auction's version in
   * `finals` (or the time is up), then the measurement starts afresh; resolves
   * with the streams that fell short (their checks go on and will count them).
   */
  settle(finals: Map<number, number>, timeoutMs: number): Promise<number>;
  /**
   * Waits until every stream has its auction's final version (or the time is
   * up) and merges the reports, deliveries timed against `commits` (see ToWatcher).
   */
  finish(finals: Map<number, number>, commits: [number, number, number][] | null, timeoutMs: number): Promise<Deliveries>;
  /** Closes the sockets and ends the processes. */
  close(): Promise<void>;
}

export interface WatcherOptions {
  url: string;
  sockets: SocketSpec[];
  /** Child processes to deal the sockets out to (see watcherProcessesFor). */
  processes: number;
  /** WebSocket handshakes in flight at once, per process. */
  parallel: number;
  timeoutMs: number;
}

interface Child {
  child: ChildProcess;
  stop: () => Promise<void>;
  next<K extends FromWatcher['op']>(op: K, timeoutMs: number): Promise<Extract<FromWatcher, { op: K }>>;
  send(m: ToWatcher): void;
}

/** Files a watcher process keeps open besides its sockets (stdio, the IPC channel, epoll, …), with room to spare. */
const OWN_FILES = 100;

/** How many watcher processes hold `sockets` sockets: at least `wanted`, and enough that none passes its open-files limit. */
export function watcherProcessesFor(sockets: number, wanted: number): number {
  return Math.max(wanted, Math.ceil(sockets / (processOpenFiles() - OWN_FILES)));
}

function startChild(): Child {
  const child = fork(compiledBench('watchers', 'watcher-process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // For profiling, e.g. NB_BENCH_WATCHER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    execArgv: process.env.NB_BENCH_WATCHER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [],
  });
  const stop = ownChild(child, () => {
    if (child.connected) child.send({ op: 'close' } satisfies ToWatcher);
    else child.kill('SIGTERM');
  });
  const inbox: FromWatcher[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m: FromWatcher) => {
    inbox.push(m);
    wake?.();
  });
  child.on('exit', () => wake?.());
  return {
    child,
    stop,
    send: (m) => child.send(m),
    async next(op, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = inbox.shift();
        if (m?.op === 'fatal') throw new Error(`a watcher process failed: ${m.message}`);
        if (m?.op === op) return m as Extract<FromWatcher, { op: typeof op }>;
        if (m) continue;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`a watcher process exited (${child.exitCode ?? child.signalCode})`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`a watcher process did not answer "${op}" in ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, left);
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        wake = undefined;
      }
    },
  };
}

/** Forks the watcher processes and waits until every socket is open and has its snapshots. */
export async function startWatchers(o: WatcherOptions): Promise<WatcherPool> {
  const children = Array.from({ length: o.processes }, startChild);
  const close = async () => {
    await Promise.all(children.map((c) => c.stop()));
  };
  try {
    const wsUrl = socketUrl(o.url);
    children.forEach((c, i) =>
      c.send({ op: 'open', url: wsUrl, sockets: o.sockets.filter((_, j) => j % o.processes === i), parallel: o.parallel, timeoutMs: o.timeoutMs }),
    );
    const answers = await Promise.all(children.map((c) => c.next('ready', o.timeoutMs * 3)));
    const failed = answers.reduce((n, a) => n + a.failed, 0);
    if (failed > 0) {
      throw new Error(`${failed} sockets or subscriptions of ${o.sockets.length} failed, e.g. ${answers.find((a) => a.firstError)?.firstError}`);
    }
    return {
      pids: children.map((c) => c.child.pid!),
      async settle(finals, timeoutMs) {
        for (const c of children) c.send({ op: 'settle', finals: [...finals], timeoutMs });
        const answers = await Promise.all(children.map((c) => c.next('settled', timeoutMs + 60_000)));
        return answers.reduce((n, a) => n + a.incomplete, 0);
      },
      async finish(finals, commits, timeoutMs) {
        for (const c of children) c.send({ op: 'finish', finals: [...finals], commits, timeoutMs });
        const results = await Promise.all(children.map((c) => c.next('result', timeoutMs + 60_000)));
        return merge(results.map((r) => r.result));
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

function merge(results: WatcherResult[]): Deliveries {
  const out: Deliveries = {
    deliveries: 0, duplicates: 0, outOfOrder: 0, lost: 0, incomplete: 0, mismatched: 0, beforeCommit: 0, untimed: 0,
    unexpected: {}, closes: {}, latency: new Latency(), commitLatency: new Latency(), lastDeliveryAt: 0, seen: new Map(),
  };
  for (const r of results) {
    for (const k of ['deliveries', 'duplicates', 'outOfOrder', 'lost', 'incomplete', 'mismatched', 'beforeCommit', 'untimed'] as const) {
      out[k] += r[k];
    }
    if (r.commitLatency === null) out.commitLatency = null;
    else out.commitLatency?.add(new Latency(r.commitLatency));
    addCounts(out.unexpected, r.unexpected);
    addCounts(out.closes, r.closes);
    out.latency.add(new Latency(r.latency));
    out.lastDeliveryAt = Math.max(out.lastDeliveryAt, r.lastDeliveryAt);
    for (const [auction, versions] of r.seen) {
      let m = out.seen.get(auction);
      if (!m) out.seen.set(auction, (m = new Map()));
      for (const [v, sig] of versions) {
        const first = m.get(v);
        if (first === undefined) m.set(v, sig);
        else if (first !== sig) out.mismatched++;
      }
    }
  }
  return out;
}
