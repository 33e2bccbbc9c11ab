// The per-principal request budget, one fixed window per key, shared by the
// HTTP edge (as @fastify/rate-limit's store, http/rate-limit.ts) and the
// socket hub (bids over the socket), so that a user who bids both ways has one
// budget, not two. It lives at the daemon's root because both edges use it.
import type { RateLimitOptions } from '../protocol/limit-defaults.js';

interface Window {
  count: number;
  startedAt: number;
}

/** What one request got: whether it is within the budget, and when the window ends. */
export interface Take {
  allowed: boolean;
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  resetMs: number;
}

/** Most keys remembered: past it, ended windows are forgotten, then the oldest (a flood of addresses cannot grow it). */
const MAX_KEYS = 50_000;

export class RateBudget {
  private readonly windows = new Map<string, Window>();

  constructor(readonly options: RateLimitOptions) {}

  /** Counts one request against `key`'s window. */
  take(key: string, now = Date.now()): Take {
    const { max, windowMs } = this.options;
    let w = this.windows.get(key);
    if (!w || w.startedAt + windowMs <= now) {
      if (!w && this.windows.size >= MAX_KEYS) this.prune(now);
      w = { count: 0, startedAt: now };
      this.windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= max, count: w.count, resetMs: w.startedAt + windowMs - now };
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (w.startedAt + this.options.windowMs <= now) this.windows.delete(key);
    // Still full of running windows: forget the oldest tenth (a forgotten key starts a fresh window).
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS * 0.9) break;
      this.windows.delete(key);
    }
  }
}
