import { describe, expect, it } from 'vitest';
import { idempotencyKeyFor, MAX_RETRY_AFTER_MS, unsettled, withRetries } from '../../src/cli/retry.js';
import { errorCodes, nbError, NbError, type ErrorCode } from '../../src/protocol/errors.js';

/** A sender that fails with the given codes in turn, then succeeds. */
function failing(codes: ErrorCode[]) {
  const calls: number[] = [];
  const send = async () => {
    calls.push(calls.length);
    const code = codes[calls.length - 1];
    if (code) throw nbError(code);
    return 'done';
  };
  return { send, calls };
}

describe('withRetries', () => {
  it('retries exactly the codes the error table calls retryable, once per delay', async () => {
    for (const code of Object.keys(errorCodes) as ErrorCode[]) {
      const s = failing([code]);
      const sent = withRetries(s.send, { delaysMs: [1] });
      if (errorCodes[code].retryable) await expect(sent, code).resolves.toBe('done');
      else await expect(sent, code).rejects.toMatchObject({ code });
      expect(s.calls, code).toHaveLength(errorCodes[code].retryable ? 2 : 1);
    }
    const s = failing(['UNREACHABLE', 'UNAVAILABLE', 'SHUTTING_DOWN']);
    const retried: number[] = [];
    await expect(withRetries(s.send, { delaysMs: [1, 1, 1], onRetry: (_e, n) => retried.push(n) })).resolves.toBe('done');
    expect(s.calls).toHaveLength(4);
    expect(retried).toEqual([1, 2, 3]);
  });

  it('gives up after the last delay with the last error', async () => {
    const s = failing(['UNREACHABLE', 'UNREACHABLE', 'UNREACHABLE', 'UNAVAILABLE']);
    await expect(withRetries(s.send, { delaysMs: [1, 1, 1] })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(s.calls).toHaveLength(4);
  });

  it("waits as long as the daemon's Retry-After asks, when that is longer than its own delay", async () => {
    let calls = 0;
    const waits: number[] = [];
    const started = performance.now();
    const result = await withRetries(
      async () => {
        if (calls++ > 0) return 'done';
        const limited = nbError('RATE_LIMITED', { limit: 1, windowMs: 1000, retryAfterSec: 1 });
        limited.retryAfterMs = 300;
        throw limited;
      },
      { delaysMs: [1, 1], onRetry: (_e, _n, ms) => waits.push(ms) },
    );
    expect(result).toBe('done');
    expect(waits).toEqual([300]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('gives up at once when the daemon asks to wait longer than a command should', async () => {
    let calls = 0;
    const send = async () => {
      calls++;
      const limited = nbError('RATE_LIMITED');
      limited.retryAfterMs = MAX_RETRY_AFTER_MS + 1000;
      throw limited;
    };
    await expect(withRetries(send, { delaysMs: [1, 1, 1] })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(calls).toBe(1);
  });

  it('never retries an answer from the rules, or anything else', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new TypeError('bug');
      }, { delaysMs: [1] }),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });
});

describe('idempotency keys', () => {
  it('keeps a given key and makes a fresh one per call otherwise', () => {
    expect(idempotencyKeyFor('mine')).toBe('mine');
    const a = idempotencyKeyFor(undefined);
    expect(a).toMatch(/^nb-cli-[0-9a-f-]{36}$/);
    expect(idempotencyKeyFor(undefined)).not.toBe(a);
  });

  it('names the key in an unsettled error, and leaves a definite answer alone', () => {
    const e = unsettled(nbError('UNREACHABLE', { origin: 'http://127.0.0.1:1', problem: 'connect ECONNREFUSED' }), 'k1', 'bid') as NbError;
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toBe(
      'Cannot reach the daemon at http://127.0.0.1:1: connect ECONNREFUSED. The bid may or may not have been made; run the same command with --idempotency-key k1 to find out without making it twice.',
    );
    expect(e.details).toEqual({ origin: 'http://127.0.0.1:1', problem: 'connect ECONNREFUSED', idempotencyKey: 'k1', unsettled: 'bid' });
    const low = nbError('BID_TOO_LOW');
    expect(unsettled(low, 'k1', 'bid')).toBe(low);
  });
});
