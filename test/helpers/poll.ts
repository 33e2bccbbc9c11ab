// The one poll-until of the tests: for conditions nothing announces (a row
// committed by another process, a process gone, a frame drawn). A wait that
// something does announce (a line on stdout, a frame on a socket) listens
// for it instead.

export interface PollOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Named in the timeout's error. */
  what?: string;
  /** Pause between checks (default 25 ms). */
  intervalMs?: number;
  /** Text added to the timeout's error (the last output seen, …). */
  detail?: () => string;
}

/** Polls `check` until it returns something truthy, and returns it; throws after the timeout. */
export async function pollUntil<T>(check: () => T | Promise<T>, options: PollOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 30_000, what = 'condition', intervalMs = 25, detail } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** pollUntil with positional timeout and name, the shape most tests use. */
export function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 30_000, what = 'condition'): Promise<NonNullable<T>> {
  return pollUntil(check, { timeoutMs, what });
}
