// Looks after the embedded PostgreSQL the daemon owns, as an init system would:
// when the postmaster dies (kill -9, the OOM killer, a full disk that failed
// its crash recovery) the daemon logs why — how it ended and the last lines of
// its log — and starts it again on the same port, so every pool and the LISTEN
// connection find it where they left it, with backoff while starting fails.
// Nothing committed is lost: PostgreSQL replays its WAL on start. Meanwhile
// requests are answered 503 UNAVAILABLE and /v1/health says "restarting".
import type { PostgresHealth } from '../../../protocol/types.js';
import { isGone, type Postmaster } from './process.js';

export interface SupervisorOptions {
  server: Postmaster;
  /** Starts the server again on its port; rejects when it did not come up. */
  restart(onSpawn: (pid: number) => void): Promise<Postmaster>;
  /** The last lines of PostgreSQL's log. */
  logTail(): string;
  info(message: string): void;
  warn(message: string): void;
  /** How often the postmaster is checked (ms). */
  pollMs?: number;
  /** Pause before the n-th restart attempt: initialMs × 2^(n-1), at most maxMs. */
  backoff?: { initialMs: number; maxMs: number };
}

export const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 };

/** Lines a starting server logs for every connection tried too early: they say nothing about why. */
const NOISE = /not yet accepting connections|the database system is (starting up|shutting down|in recovery mode)/;

/** The log lines that say why a server died, else its last lines. */
export function why(tail: string): string {
  const lines = tail.split('\n').filter((l) => l.trim() && !NOISE.test(l));
  const telling = lines.filter((l) => /PANIC|FATAL|No space left|out of memory|terminated by signal|could not/i.test(l));
  return (telling.length ? telling.slice(-3) : lines.slice(-3)).map((l) => l.trim()).join(' | ');
}

/** How a dead postmaster ended; a child of ours may be seen dead (a zombie) a moment before Node reports its exit. */
function howItEnded(dead: Postmaster): Promise<string> {
  if (!dead.ended) return Promise.resolve('exited; it was adopted, so how is unknown');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((r) => (timer = setTimeout(() => r('exited; how is unknown'), 2000)));
  return Promise.race([dead.ended, late]).finally(() => clearTimeout(timer));
}

export class Supervisor {
  private server: Postmaster;
  private state: PostgresHealth['state'] = 'running';
  private restarts = 0;
  private lastExit: string | undefined;
  /** The pid of a postmaster being started, until it is up. */
  private starting: number | undefined;
  private stopping = false;
  private readonly timer: NodeJS.Timeout;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: SupervisorOptions) {
    this.server = o.server;
    this.timer = setInterval(() => this.check(), o.pollMs ?? 200);
    this.timer.unref();
  }

  /** The pid to stop: the running postmaster, or the one being started. */
  get pid(): number {
    return this.starting ?? this.server.pid;
  }

  health(): PostgresHealth {
    return {
      state: this.state,
      pid: this.server.pid,
      port: this.server.port,
      restarts: this.restarts,
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
    };
  }

  /** Stops watching and restarting; the caller stops the server at `pid`, then waits for `settled()`. */
  halt(): void {
    this.stopping = true;
    clearInterval(this.timer);
    this.wake?.();
  }

  /** Resolves once no restart is under way (one in progress ends when its server is stopped). */
  async settled(): Promise<void> {
    await this.loop;
  }

  private check(): void {
    if (this.stopping || this.loop || !isGone(this.server.pid)) return;
    this.loop = this.restartLoop().finally(() => (this.loop = undefined));
  }

  private async restartLoop(): Promise<void> {
    const dead = this.server;
    const since = Date.now();
    const how = await howItEnded(dead);
    const said = why(this.o.logTail());
    this.lastExit = `${how} at ${new Date(since).toISOString()}${said ? `; its log: ${said}` : ''}`;
    this.state = 'restarting';
    this.o.warn(`PostgreSQL pid ${dead.pid} died (${how}); the end of its log: ${said || '(empty)'}; restarting it on port ${dead.port}`);
    const backoff = this.o.backoff ?? DEFAULT_BACKOFF;
    for (let attempt = 1; !this.stopping; attempt++) {
      await this.pause(Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs));
      if (this.stopping) break;
      try {
        const server = await this.o.restart((pid) => (this.starting = pid));
        this.starting = undefined;
        if (this.stopping) {
          // Stopped while it came up: the caller stops it by pid.
          this.server = server;
          break;
        }
        this.server = server;
        this.restarts++;
        this.state = 'running';
        this.o.info(`PostgreSQL is back: pid ${server.pid} on port ${server.port}, ${((Date.now() - since) / 1000).toFixed(1)} s after it died (restart ${this.restarts})`);
        return;
      } catch (err) {
        this.starting = undefined;
        const message = (err as Error).message.split('\n');
        this.o.warn(`restarting PostgreSQL failed (attempt ${attempt}): ${message[0]} ${why(message.slice(1).join('\n'))}`.trim());
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }
}
