// Coalesces many store changes into at most one flush per interval, so a burst
// of events costs one React render instead of one per event.

export interface Batcher {
  /** Notes a change; a flush follows within the interval. */
  mark(): void;
  /** Flushes now if anything is pending. */
  flushNow(): void;
  stop(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function createBatcher(flush: () => void, intervalMs: number, clock: Clock = realClock): Batcher {
  let pending = false;
  let timer: unknown;
  let lastFlush = -Infinity;
  let stopped = false;

  const run = () => {
    timer = undefined;
    if (!pending || stopped) return;
    pending = false;
    lastFlush = clock.now();
    flush();
  };

  return {
    mark() {
      if (stopped) return;
      pending = true;
      if (timer !== undefined) return;
      // The first change after a quiet spell shows at once; a burst waits out the interval.
      const wait = Math.max(0, lastFlush + intervalMs - clock.now());
      timer = clock.setTimeout(run, wait);
    },
    flushNow() {
      if (timer !== undefined) clock.clearTimeout(timer);
      run();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
