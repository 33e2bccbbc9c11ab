// Error codes are a public contract: each has one status and exit code, and a
// wire body turns back into the same error value.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { errorCodes, errorMessage, fromErrorBody, isErrorCode, nbError, type ErrorCode } from '../../src/protocol/errors.js';

describe('error codes', () => {
  it('are exactly the ones docs/protocol.md lists, with the same statuses', async () => {
    const doc = await readFile(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m): [string, number] => [m[1]!, Number(m[2])]);
    // Status 0: local only, never on the wire (UNREACHABLE, UNSUPPORTED_PLATFORM).
    const wire = Object.entries(errorCodes).filter(([, spec]) => spec.status !== 0);
    expect(new Map(rows)).toEqual(new Map(wire.map(([code, spec]) => [code, spec.status])));
  });

  it('round-trip through the wire body with their details', () => {
    const err = nbError('BID_TOO_LOW', 'The bid is below the minimum next bid of 110.', { minimum: 110 });
    expect(err.toBody()).toEqual({ code: 'BID_TOO_LOW', message: 'The bid is below the minimum next bid of 110.', minimum: 110 });
    const back = fromErrorBody({ error: err.toBody() });
    expect(back).toMatchObject({ code: 'BID_TOO_LOW', message: err.message, details: { minimum: 110 } });
    expect(back.status).toBe(422);
    expect(back.exitCode).toBe(3);
  });

  it('turn an unreadable or unknown error body into INTERNAL', () => {
    for (const body of [null, {}, { error: 'Bad Request' }, { error: { code: 'NO_SUCH_CODE' } }, 'text']) {
      expect(fromErrorBody(body).code).toBe('INTERNAL');
    }
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('NOT_FOUND')).toBe(true);
  });

  it('have a human sentence for every code, made specific by details', () => {
    for (const code of Object.keys(errorCodes) as ErrorCode[]) expect(errorMessage(code)).toMatch(/^[A-Z].*\.$/);
    expect(errorMessage('BID_TOO_LOW', { minimum: 12_345 })).toBe('The bid is below the minimum next bid of 12,345.');
    expect(errorMessage('INSUFFICIENT_FUNDS', { available: 50 })).toBe('Your available funds (50) do not cover this amount.');
    expect(errorMessage('AUCTION_CLOSED', { status: 'sold' })).toBe('The auction is sold.');
    expect(errorMessage('AUCTION_CLOSED', { status: 'open' })).toBe('The auction has ended.');
  });

  it('mark only transient failures as retryable', () => {
    const retryable = (Object.keys(errorCodes) as ErrorCode[]).filter((c) => nbError(c).retryable).sort();
    // A slow consumer is cut off but may resume from its last version at once.
    expect(retryable).toEqual(['RATE_LIMITED', 'SHUTTING_DOWN', 'SLOW_CONSUMER', 'TOO_MANY_CONNECTIONS', 'UNAVAILABLE', 'UNREACHABLE']);
  });
});
