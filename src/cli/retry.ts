// Bids and buys are sent with an Idempotency-Key and retried with the same key
// when the answer may have been lost or the daemon asked to try again, so a
// retry can never bid or buy twice: the daemon runs a key once and answers
// every retry with that first answer. What is worth retrying is the error
// table's `retryable`, nothing else.
import { randomUUID } from 'node:crypto';
import { NbError, unsettledError } from '../protocol/errors.js';

/** Waits before each retry, in milliseconds: 3 retries over about 2 seconds, longer when the daemon asks. */
export const RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000];

/** The longest a daemon's Retry-After is waited for; asked to wait longer, the command gives up at once. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** A key for one command run, unless the user gave one. */
export function idempotencyKeyFor(given: string | undefined): string {
  return given ?? `nb-cli-${randomUUID()}`;
}

export interface RetryOptions {
  delaysMs?: readonly number[];
  onRetry?(err: NbError, attempt: number, waitMs: number): void;
}

/**
 * Runs `send` and runs it again while it fails with a retryable code, waiting
 * each delay in turn, or the daemon's Retry-After when that is longer. `send`
 * must carry the same Idempotency-Key every time.
 */
export async function withRetries<T>(send: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const delays = options.delaysMs ?? RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof NbError) || !err.retryable || attempt >= delays.length) throw err;
      const waitMs = Math.max(delays[attempt]!, err.retryAfterMs ?? 0);
      if (waitMs > MAX_RETRY_AFTER_MS) throw err;
      options.onRetry?.(err, attempt + 1, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/**
 * After the last retry failed, the outcome is unknown (an earlier attempt may
 * have reached the daemon); says how to find out without acting twice.
 */
export function unsettled(err: unknown, key: string, what: string): unknown {
  if (!(err instanceof NbError) || !err.retryable) return err;
  return unsettledError(err, key, what);
}
