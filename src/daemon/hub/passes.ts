// The worker loop of a channel or an inbox feed: passes run one at a time
// until one says there is nothing left; a pass that fails (the database away
// or restarting) is retried after a backoff, and the loop is bounded.

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;
const MAX_PASSES = 100_000;

export interface PassOptions {
  stopped(): boolean;
  /** A pass failed; it is tried again after a wait. */
  failed(err: unknown): void;
}

/** Runs `pass` until it resolves false or the hub stops, waiting 100 ms doubling to 2 s after each failure. */
export async function runPasses(pass: () => Promise<boolean>, o: PassOptions): Promise<void> {
  let delay = RETRY_MIN_MS;
  for (let i = 0; i < MAX_PASSES && !o.stopped(); i++) {
    try {
      if (!(await pass())) return;
      delay = RETRY_MIN_MS;
    } catch (err) {
      o.failed(err);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(RETRY_MAX_MS, delay * 2);
    }
  }
}
