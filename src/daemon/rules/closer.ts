// The closer: every daemon runs one. It settles auctions past their end with
// FOR UPDATE SKIP LOCKED, so several daemons share the work and never settle
// one auction twice; then tells the other bidders of ended auctions that they
// lost (the same way), and now and then prunes the inbox to its retention.
import type { Logger } from 'pino';
import { isRulesOutdated, isUnavailable, type Sql } from '../db/database.js';
import { errorFields } from '../log-fields.js';
import { rulesOutdatedLine } from './install.js';
import type { Metrics } from '../metrics.js';
import { pruneInbox, tellEndedAuctions } from './inbox.js';
import type { Publisher } from './publisher.js';
import { settleDue } from './settle.js';

export interface Closer {
  stop(): Promise<void>;
  /** Runs one pass now (tests use it to avoid waiting for the timer). */
  runOnce(): Promise<number>;
}

/** How often the closer prunes the inbox (see INBOX_RETENTION). */
export const INBOX_PRUNE_EVERY_MS = 60_000;

export function startCloser(sql: Sql, publisher: Publisher, metrics: Metrics, log: Logger, intervalMs: number): Closer {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let warned = false;
  let prunedAt = -Infinity;

  const pass = async (): Promise<number> => {
    let total = 0;
    // Keep going while full batches come back: a backlog clears at once.
    for (let i = 0; i < 20 && !stopped; i++) {
      const n = await settleDue(sql, publisher, 100);
      total += n;
      // Counted per batch: a later batch that fails does not unsay the ones committed.
      if (n > 0) metrics.settled.inc(n);
      if (n < 100) break;
    }
    // Settled here or elsewhere, or bought now: each ended auction waits in inbox_pending.
    for (let i = 0; i < 20 && !stopped; i++) {
      const told = await tellEndedAuctions(sql, 100);
      publisher.publishInbox(told.users);
      if (told.auctions < 100) break;
    }
    if (Date.now() - prunedAt >= INBOX_PRUNE_EVERY_MS && !stopped) {
      prunedAt = Date.now();
      const pruned = await pruneInbox(sql);
      if (pruned > 0) log.info({ pruned }, 'pruned inbox events past the retention');
    }
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
      if (isUnavailable(err) || isRulesOutdated(err)) {
        if (!warned) {
          if (isRulesOutdated(err)) log.warn({ detail: rulesOutdatedLine(err) }, 'closer: rules outdated');
          else log.warn(errorFields(log, err), 'closer: database unavailable; will keep trying');
        }
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
