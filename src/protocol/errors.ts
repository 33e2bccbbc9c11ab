// Every error neighborbid can answer with, in one table. Each edge translates a
// code exactly once: HTTP status here, WebSocket error frames in the hub, CLI
// exit codes in the CLI. The codes are a stable public contract.

/** CLI exit codes, shared so that scripts can rely on them. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  rejected: 3,
  notFound: 4,
  auth: 5,
  unreachable: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

interface CodeSpec {
  status: number;
  exit: ExitCode;
  retryable: boolean;
  message: string;
}

const spec = (status: number, exit: ExitCode, message: string, retryable = false): CodeSpec => ({
  status,
  exit,
  retryable,
  message,
});

export const errorCodes = {
  INVALID_INPUT: spec(400, ExitCode.usage, 'The request is not valid.'),
  PAYLOAD_TOO_LARGE: spec(413, ExitCode.usage, 'The request body is too large.'),
  UNAUTHORIZED: spec(401, ExitCode.auth, 'A valid token is required.'),
  FORBIDDEN: spec(403, ExitCode.auth, 'This token may not do that.'),
  NOT_FOUND: spec(404, ExitCode.notFound, 'No such thing exists.'),
  AUCTION_CLOSED: spec(409, ExitCode.rejected, 'The auction is no longer open.'),
  BID_TOO_LOW: spec(422, ExitCode.rejected, 'The bid is below the minimum next bid.'),
  SELF_BID: spec(422, ExitCode.rejected, 'You cannot bid on or buy your own auction.'),
  INSUFFICIENT_FUNDS: spec(422, ExitCode.rejected, 'Your available funds do not cover this amount.'),
  BUY_NOW_UNAVAILABLE: spec(409, ExitCode.rejected, 'Buy now is not available on this auction.'),
  CANNOT_CANCEL: spec(409, ExitCode.rejected, 'The auction cannot be cancelled.'),
  IDEMPOTENCY_CONFLICT: spec(409, ExitCode.rejected, 'This Idempotency-Key was used with a different request.'),
  RATE_LIMITED: spec(429, ExitCode.rejected, 'Too many requests; slow down.', true),
  TOO_MANY_CONNECTIONS: spec(429, ExitCode.rejected, 'Too many connections from your address; close some and retry.', true),
  UNAVAILABLE: spec(503, ExitCode.unreachable, 'The database is unavailable; try again shortly.', true),
  SHUTTING_DOWN: spec(503, ExitCode.unreachable, 'The daemon is shutting down; try again shortly.', true),
  UNREACHABLE: spec(0, ExitCode.unreachable, 'The daemon cannot be reached.', true),
  // Local only, like UNREACHABLE (status 0: never sent): the daemon cannot start its embedded database here.
  UNSUPPORTED_PLATFORM: spec(0, ExitCode.unreachable, 'There is no embedded PostgreSQL for this platform; use --database-url.'),
  TOO_MANY_SUBSCRIPTIONS: spec(400, ExitCode.usage, 'Too many subscriptions on one socket.'),
  SLOW_CONSUMER: spec(503, ExitCode.unreachable, 'Events were not read fast enough; reconnect and resume.', true),
  INTERNAL: spec(500, ExitCode.unexpected, 'An unexpected error occurred.'),
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof errorCodes;

/**
 * WebSocket close codes the daemon sends: the RFC 6455 ones it uses and its
 * own in 4000–4999. `closeCodeOf` and `errorOfClose` translate codes both ways.
 */
export const CloseCode = {
  /** The client said goodbye. */
  normal: 1000,
  /** The daemon is stopping (SHUTTING_DOWN): reconnect, to it or another daemon. */
  goingAway: 1001,
  /** A frame over the socket's maxPayload (PAYLOAD_TOO_LARGE); sent by the ws library. */
  tooBig: 1009,
  /** A bug in the daemon (INTERNAL). */
  internal: 1011,
  /** The send buffer passed its limit (SLOW_CONSUMER): reconnect and resume with `after`. */
  slowConsumer: 4008,
} as const;

const closeCodes: Partial<Record<ErrorCode, number>> = {
  SHUTTING_DOWN: CloseCode.goingAway,
  PAYLOAD_TOO_LARGE: CloseCode.tooBig,
  INTERNAL: CloseCode.internal,
  SLOW_CONSUMER: CloseCode.slowConsumer,
};

/** The close code a socket is closed with for an error code, if it closes the socket. */
export function closeCodeOf(code: ErrorCode): number | undefined {
  return closeCodes[code];
}

/** The error a close code stands for (client side); undefined for a normal close or an unknown code. */
export function errorOfClose(close: number): ErrorCode | undefined {
  return (Object.keys(closeCodes) as ErrorCode[]).find((c) => closeCodes[c] === close);
}

/** The JSON body of every error answer: `{ "error": ErrorBody }`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

/** An error as a value: a stable code, a human sentence and optional details. */
export class NbError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}) {
    super(message ?? errorCodes[code].message);
    this.name = 'NbError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  get exitCode(): ExitCode {
    return errorCodes[this.code].exit;
  }

  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }

  toBody(): ErrorBody {
    return { ...this.details, code: this.code, message: this.message };
  }
}

/** Makes an error value; the one place errors are constructed. */
export function nbError(code: ErrorCode, message?: string, details?: Record<string, unknown>): NbError {
  return new NbError(code, message, details);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** Rebuilds an error value from a wire body (client side); unknown codes become INTERNAL. */
export function fromErrorBody(body: unknown): NbError {
  const err = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (!err || !isErrorCode(err.code)) return nbError('INTERNAL', 'The daemon sent an unreadable error.');
  const { code, message, ...details } = err;
  return nbError(code, typeof message === 'string' ? message : undefined, details);
}

/** The human sentence for a code, made specific by its details where that helps. */
export function errorMessage(code: ErrorCode, details: Record<string, unknown> = {}): string {
  const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  switch (code) {
    case 'NOT_FOUND':
      if (typeof details.auction === 'number') return `No auction ${details.auction}.`;
      return typeof details.user === 'number' ? `No user ${details.user}.` : errorCodes[code].message;
    case 'BID_TOO_LOW':
      return details.minimum === null
        ? 'No higher bid is possible on this auction.'
        : `The bid is below the minimum next bid of ${n(details.minimum)}.`;
    case 'INSUFFICIENT_FUNDS':
      return typeof details.available === 'number'
        ? `Your available funds (${n(details.available)}) do not cover this amount.`
        : errorCodes[code].message;
    case 'AUCTION_CLOSED':
      return typeof details.status === 'string' && details.status !== 'open'
        ? `The auction is ${details.status}.`
        : 'The auction has ended.';
    case 'BUY_NOW_UNAVAILABLE':
      return details.buyNowPrice === null
        ? 'This auction has no buy-now price.'
        : 'Bidding has reached the buy-now price; buy now is no longer available.';
    case 'CANNOT_CANCEL':
      return 'The auction has bids; only an admin can cancel it now.';
    default:
      return errorCodes[code].message;
  }
}
