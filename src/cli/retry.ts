// Bids and buys are sent with an Idempotency-Key and retried with the same key
// when the answer may have been lost, so a retry can never bid or buy twice:
// the daemon runs a key once and answers every retry with that first answer.
import { randomUUID } from 'node:crypto';
import { nbError, NbError, type ErrorCode } from '../protocol/errors.js';

/** Answers that say "try again": the daemon was not reached, or could not work just now. */
const RETRY_ON: ReadonlySet<ErrorCode> = new Set(['UNREACHABLE', 'UNAVAILABLE', 'SHUTTING_DOWN']);

/** Waits before each retry, in milliseconds: 3 retries over about 2 seconds. */
export const RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000];

/** A key for one command run, unless the user gave one. */
export function idempotencyKeyFor(given: string | undefined): string {
  return given ?? `nb-cli-${randomUUID()}`;
}

export interface RetryOptions {
  delaysMs?: readonly number[];
  onRetry?(err: NbError, attempt: number): void;
}

/**
 * Runs `send` and runs it again after each delay while it fails with a
 * retryable code. `send` must carry the same Idempotency-Key every time.
 */
export async function withRetries<T>(send: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const delays = options.delaysMs ?? RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof NbError) || !RETRY_ON.has(err.code) || attempt >= delays.length) throw err;
      options.onRetry?.(err, attempt + 1);
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }
}

/**
 * After the last retry failed, the outcome is unknown; says how to find out
 * without acting twice.
 */
export function unsettled(err: unknown, key: string, what: string): unknown {
  if (!(err instanceof NbError) || !RETRY_ON.has(err.code)) return err;
  return nbError(
    err.code,
    `${err.message} The ${what} may or may not have been made; run the same command with --idempotency-key ${key} to find out without making it twice.`,
    { ...err.details, idempotencyKey: key },
  );
}
