// Error codes are a public contract: each has one status and exit code, and a
// wire body turns back into the same error value.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  closeCodeOf,
  errorCodes,
  errorMessage,
  errorOfClose,
  fromErrorBody,
  isErrorCode,
  nbError,
  unsettledError,
  type ErrorCode,
} from '../../src/protocol/errors.js';

describe('error codes', () => {
  it('are exactly the ones docs/protocol.md lists, with the same statuses', async () => {
    const doc = await readFile(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m): [string, number] => [m[1]!, Number(m[2])]);
    // Status 0: local only, never on the wire (UNREACHABLE, UNSUPPORTED_PLATFORM).
    const wire = Object.entries(errorCodes).filter(([, spec]) => spec.status !== 0);
    expect(new Map(rows)).toEqual(new Map(wire.map(([code, spec]) => [code, spec.status])));
  });

  it('round-trip through the wire body with their details', () => {
    const err = nbError('BID_TOO_LOW', { minimum: 110 });
    expect(err.toBody()).toEqual({ code: 'BID_TOO_LOW', message: 'The bid is below the minimum next bid of 110.', minimum: 110 });
    const back = fromErrorBody({ error: err.toBody() });
    expect(back).toMatchObject({ code: 'BID_TOO_LOW', message: err.message, details: { minimum: 110 } });
    expect(back.status).toBe(422);
    expect(back.exitCode).toBe(3);
    // The daemon's sentence is kept as it came, even one this client's table would not make.
    expect(fromErrorBody({ error: { code: 'NOT_FOUND', message: 'Gone.', auction: 3 } }).message).toBe('Gone.');
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
    expect(errorMessage('BID_TOO_LOW', { minimum: null })).toBe('No higher bid is possible on this auction.');
    expect(errorMessage('INSUFFICIENT_FUNDS', { available: 50 })).toBe('Your available funds (50) do not cover this amount.');
    expect(errorMessage('AUCTION_CLOSED', { status: 'sold' })).toBe('The auction is sold.');
    expect(errorMessage('AUCTION_CLOSED', { status: 'open' })).toBe('The auction has ended.');
    expect(errorMessage('BUY_NOW_UNAVAILABLE', { reason: 'no_buy_now', buyNowPrice: null })).toBe('This auction has no buy-now price.');
    expect(errorMessage('CANNOT_CANCEL', { bidCount: 2 })).toBe('The auction has bids; only an admin can cancel it now.');
  });

  it('make one sentence per detail, where several places used to write it by hand', () => {
    expect(nbError('NOT_FOUND', { auction: 7 }).message).toBe('No auction 7.');
    expect(nbError('NOT_FOUND', { user: 3 }).message).toBe('No user 3.');
    expect(nbError('NOT_FOUND', { auctions: [998, 999] }).message).toBe('No auction 998 or 999.');
    expect(nbError('NOT_FOUND', { auctions: Array.from({ length: 12 }, (_, i) => i + 1) }).message).toBe(
      'No auction 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 or 2 more.',
    );
    expect(nbError('NOT_FOUND', { route: 'GET /v2' }).message).toBe('No route GET /v2.');
    expect(nbError('INVALID_INPUT', { reason: 'schema', what: 'bid', issues: 'amount is required' }).message).toBe(
      'Invalid bid: amount is required.',
    );
    expect(nbError('INVALID_INPUT', { reason: 'unknownOp', op: null }).message).toBe('Unknown op (missing); use subscribe, unsubscribe, inbox, bid or ping.');
    expect(nbError('TOO_MANY_CONNECTIONS', { reason: 'sockets', limit: 1 }).message).toBe(
      'At most 1 WebSockets may be open from one address.',
    );
    expect(nbError('RATE_LIMITED', { limit: 3, windowMs: 30_000, retryAfterSec: 1 }).message).toBe(
      'Too many requests; at most 3 per 30 s. Retry in 1 second.',
    );
    expect(nbError('UNREACHABLE', { origin: 'http://127.0.0.1:1', problem: 'connect ECONNREFUSED', attempts: 4 }).message).toBe(
      'Cannot reach the daemon at http://127.0.0.1:1: connect ECONNREFUSED (tried 4 times).',
    );
    expect(nbError('UNREACHABLE', { attempts: 3 }).message).toBe('Gave up after 3 attempts to reach the daemon.');
    expect(nbError('RATE_LIMITED', { inFlight: 64 }).message).toBe('At most 64 bids may wait for their replies on one socket; wait for a reply first.');
    expect(nbError('UNREACHABLE', { socketBid: 'timeout', timeoutMs: 2500 }).message).toBe(
      'No reply to the bid within 2,500 ms; it may or may not have been made: send it again with the same key.',
    );
    // The reason goes with the details: a client rebuilding the error gets the same sentence.
    const e = nbError('INVALID_INPUT', { reason: 'cursor' });
    expect(e.toBody()).toEqual({ code: 'INVALID_INPUT', reason: 'cursor', message: 'cursor is not one this daemon gave out for this listing.' });
    expect(errorMessage('INVALID_INPUT', e.details)).toBe(e.message);
    // An unknown reason (a newer daemon's) falls back to the code's own sentence.
    expect(errorMessage('INVALID_INPUT', { reason: 'fromTheFuture' })).toBe('The request is not valid.');
  });

  it('say how to find out whether an unsettled bid took effect', () => {
    const e = unsettledError(nbError('SHUTTING_DOWN'), 'k1', 'bid');
    expect(e.code).toBe('SHUTTING_DOWN');
    expect(e.message).toBe(
      'The daemon is shutting down; try again shortly. The bid may or may not have been made; run the same command with --idempotency-key k1 to find out without making it twice.',
    );
    expect(e.details).toEqual({ idempotencyKey: 'k1', unsettled: 'bid' });
  });

  it('give every code that ends a socket its own close code, and each close code one error', () => {
    const closing = (Object.keys(errorCodes) as ErrorCode[]).filter((c) => errorOfClose(closeCodeOf(c)) === c);
    expect(closing.sort()).toEqual(['INTERNAL', 'PAYLOAD_TOO_LARGE', 'SHUTTING_DOWN', 'SLOW_CONSUMER']);
    expect(new Set(closing.map(closeCodeOf)).size).toBe(closing.length);
    expect(Object.values(CloseCode)).toEqual(expect.arrayContaining(closing.map(closeCodeOf)));
  });

  it('mark only transient failures as retryable', () => {
    const retryable = (Object.keys(errorCodes) as ErrorCode[]).filter((c) => nbError(c).retryable).sort();
    // A slow consumer is cut off but may resume from its last version at once.
    expect(retryable).toEqual(['RATE_LIMITED', 'SHUTTING_DOWN', 'SLOW_CONSUMER', 'TOO_MANY_CONNECTIONS', 'UNAVAILABLE', 'UNREACHABLE']);
  });
});
