// The closer: every daemon runs one. It settles auctions past their end with
// FOR UPDATE SKIP LOCKED, so several daemons share the work and never settle
// one auction twice.
import type { Logger } from 'pino';
import { isUnavailable, type Sql } from '../db/database.js';
import { errorFields } from '../log-fields.js';
import type { Metrics } from '../metrics.js';
import type { Publisher } from './publisher.js';
import { settleDue } from './settle.js';

export interface Closer {
  stop(): Promise<void>;
  /** Runs one pass now (tests use it to avoid waiting for the timer). */
  runOnce(): Promise<number>;
}

export function startCloser(sql: Sql, publisher: Publisher, metrics: Metrics, log: Logger, intervalMs: number): Closer {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let warned = false;

  const pass = async (): Promise<number> => {
    let total = 0;
    // Keep going while full batches come back: a backlog clears at once.
    for (let i = 0; i < 20 && !stopped; i++) {
      const n = await settleDue(sql, publisher, 100);
      total += n;
      if (n < 100) break;
    }
    if (total > 0) metrics.settled.inc(total);
    return total;
  };

  const runOnce = async (): Promise<number> => {
    while (running) await running.catch(() => 0);
    running = pass();
    try {
      const n = await running;
      warned = false;
      return n;
    } finally {
      running = undefined;
    }
  };

  const tick = async () => {
    try {
      await runOnce();
    } catch (err) {
      if (isUnavailable(err)) {
        if (!warned) log.warn(errorFields(log, err), 'closer: database unavailable; will keep trying');
        warned = true;
      } else {
        log.error({ err }, 'closer pass failed');
      }
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, 0);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => 0);
    },
  };
}
