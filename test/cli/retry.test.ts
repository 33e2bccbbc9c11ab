import { describe, expect, it } from 'vitest';
import { idempotencyKeyFor, unsettled, withRetries } from '../../src/cli/retry.js';
import { nbError, NbError, type ErrorCode } from '../../src/protocol/errors.js';

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
  it('retries UNREACHABLE, UNAVAILABLE and SHUTTING_DOWN, once per delay', async () => {
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

  it('never retries an answer from the rules, or anything else', async () => {
    for (const code of ['BID_TOO_LOW', 'INSUFFICIENT_FUNDS', 'INVALID_INPUT', 'INTERNAL', 'IDEMPOTENCY_CONFLICT'] as const) {
      const s = failing([code]);
      await expect(withRetries(s.send, { delaysMs: [1] })).rejects.toMatchObject({ code });
      expect(s.calls).toHaveLength(1);
    }
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
    const e = unsettled(nbError('UNREACHABLE', 'Cannot reach the daemon.'), 'k1', 'bid') as NbError;
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toBe(
      'Cannot reach the daemon. The bid may or may not have been made; run the same command with --idempotency-key k1 to find out without making it twice.',
    );
    expect(e.details).toEqual({ idempotencyKey: 'k1' });
    const low = nbError('BID_TOO_LOW');
    expect(unsettled(low, 'k1', 'bid')).toBe(low);
  });
});
