// Every error neighborbid can answer with, in one table: for each stable code
// its HTTP status, CLI exit code, whether trying again can help, the WebSocket
// close code when it ends a socket, and its human sentence, made from the
// error's details. Every edge translates through this table and nothing else:
// the HTTP answers, the hub's error frames and close codes, the CLI's exit codes
// and --help, the clients. Codes and their details are a public contract.

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

/** What each exit code means; `--help` lists them with the codes that leave with each. */
export const exitCodeMeanings: Record<ExitCode, string> = {
  0: 'ok',
  1: 'unexpected error',
  2: 'usage: a bad flag or argument',
  3: 'rejected by a rule (the code is printed); audit found violations',
  4: 'not found',
  5: 'authentication: a missing or wrong token, or one that may not do this',
  6: 'the daemon cannot be reached, or its database is down, or it is stopping',
};

/**
 * WebSocket close codes: the RFC 6455 ones neighborbid uses and its own in
 * 4000–4999. The error codes that end a socket name theirs in `errorCodes`.
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
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

type Details = Record<string, unknown>;
/** A sentence: fixed, or made from the error's details. */
type Sentence<D> = string | ((d: D) => string);

interface CodeSpec<D> {
  status: number;
  exit: ExitCode;
  /** True when the same request may succeed later (the CLI retries these; see src/cli/retry.ts). */
  retryable: boolean;
  /** The close code when this error ends a WebSocket. */
  close?: CloseCode;
  message: (d: D) => string;
}

function spec<D = Details>(
  status: number,
  exit: ExitCode,
  message: Sentence<D>,
  more: { retryable?: boolean; close?: CloseCode } = {},
): CodeSpec<D> {
  return { status, exit, retryable: more.retryable ?? false, ...(more.close ? { close: more.close } : {}), message: sentence(message) };
}

function sentence<D>(s: Sentence<D>): (d: D) => string {
  return typeof s === 'string' ? () => s : s;
}

/** The details that pick one of `sentences` by their `reason`. */
type ReasonDetails<S> = {
  [K in keyof S & string]: { reason: K } & (S[K] extends (d: infer P) => string ? P : unknown);
}[keyof S & string];

/** Sentences picked by the details' `reason`; without one (or an unknown one), `fallback`. */
function byReason<S extends Record<string, Sentence<never>>>(fallback: string, sentences: S): (d: ReasonDetails<S>) => string {
  return (d) => {
    const reason = (d as { reason?: unknown }).reason;
    const s = typeof reason === 'string' && Object.hasOwn(sentences, reason) ? sentences[reason] : undefined;
    if (s === undefined) return fallback;
    return typeof s === 'string' ? s : (s as (d: unknown) => string)(d);
  };
}

/** 12345 → "12,345", as every sentence shows money. */
const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
/** Ends a sentence built around someone else's text (a library's, the operating system's) with one full stop. */
const stop = (text: unknown) => `${String(text).replace(/\.+$/, '')}.`;
/** Why a bid on a socket got no reply (the socket client's): it could not be sent, or its socket, client or time ran out. */
type SocketBidLoss = 'notLive' | 'lost' | 'closed' | 'timeout';

/** The sentence of a bid on a socket that got no reply, and what to do about it. */
function socketBidLoss(why: SocketBidLoss, timeoutMs: number | undefined): string {
  if (why === 'notLive') return 'The socket is not connected to a daemon that takes bids on it; bid over HTTP.';
  const what =
    why === 'lost'
      ? "The socket was lost before the bid's reply"
      : why === 'closed'
        ? "The client was closed before the bid's reply"
        : `No reply to the bid within ${n(timeoutMs)} ms`;
  return `${what}; it may or may not have been made: send it again with the same key.`;
}

/** "7", "7 or 9", "1, 2 or 3", at most ten then "and N more". */
function idList(ids: readonly unknown[]): string {
  const shown = ids.slice(0, 10).map(String);
  if (ids.length > 10) shown.push(`${ids.length - 10} more`);
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

/** What BUY_NOW_UNAVAILABLE tells besides its reason. */
interface BuyNowDetails {
  buyNowUntil?: string;
  buyNowPrice?: number | null;
  currentPrice?: number | null;
}

export const errorCodes = {
  INVALID_INPUT: spec(
    400,
    ExitCode.usage,
    byReason('The request is not valid.', {
      // The daemon's checks of a request, a frame or a socket handshake.
      // `ref`: a bid frame's, when it could be read (the frame's error then settles that bid).
      schema: (d: { what: string; issues: string; op?: string; ref?: string | number }) => `Invalid ${d.what}: ${d.issues}.`,
      noHost: 'An HTTP/1.1 request needs a Host header.',
      mediaType: 'Send the body as application/json.',
      emptyBody: 'The JSON body is empty.',
      json: 'The body is not valid JSON.',
      url: 'The URL is not valid.',
      urlPartTooLong: 'A part of the URL is too long.',
      connectMethod: 'CONNECT is not supported: this is an HTTP API, not a proxy.',
      request: (d: { problem: string }) => stop(d.problem),
      notHttp: 'The request is not valid HTTP.',
      requestTimeout: 'The request did not arrive in time.',
      needsUpgrade: 'This is the WebSocket endpoint: connect with an "Upgrade: websocket" request.',
      handshake: (d: { problem: string }) => `Not a WebSocket handshake: ${stop(d.problem)}`,
      binaryFrame: 'Frames must be text frames holding JSON.',
      unreadableFrame: 'The frame could not be read.',
      frameJson: 'The frame is not valid JSON.',
      frameShape: 'A frame must be a JSON object with an "op".',
      unknownOp: (d: { op: string | null }) =>
        `Unknown op (${d.op === null ? 'missing' : `"${d.op}"`}); use subscribe, unsubscribe, inbox, bid or ping.`,
      endsAtPast: 'endsAt must be in the future.',
      endsAtTooFar: 'endsAt must be within a year.',
      cursor: 'cursor is not one this daemon gave out for this listing.',
      moneySupply:
        'The deposit would take the money in neighborbid past 9,007,199,254,740,991, the most it counts exactly.',
      balanceRange: 'The amount would take a balance out of range.',
      // The clients' and the CLI's own checks, before anything is sent.
      noUrl: 'Give at least one daemon URL.',
      notUrl: (d: { url: string }) => `"${d.url}" is not a URL.`,
      urlScheme: (d: { url: string; schemes: string }) => `"${d.url}" is not an ${d.schemes} URL.`,
      auctionId: (d: { id: string }) => `${d.id} is not an auction id.`,
      usage: (d: { problem: string; command: string }) => `${d.problem.replace(/\.$/, '')} (see '${d.command} --help').`,
      bidAmount: "Give an amount, --min or --max, only one (see 'neighborbid bid --help').",
      incrementChoice: "Give --increment or --increments, not both (see 'neighborbid auction create --help').",
      // `problem` is incrementTableProblem's sentence, which starts with "increments".
      incrementsTable: (d: { problem: string }) => `--${d.problem.replace(/\.$/, '')} (see 'neighborbid auction create --help').`,
      auctionEnd: "Say when it ends: --duration (e.g. 10m) or --ends-at (see 'neighborbid auction create --help').",
      watchWhat: "Name the auctions to watch, or use --all-open (see 'neighborbid watch --help').",
      loginToken: 'Give the token to save: neighborbid login --with-token < file (or --token <token>) [--url <url>].',
      noTokenOnStdin: 'No token on stdin: neighborbid login --with-token < file.',
      loginAdmin:
        'That is the admin token; it is not saved. Admin commands find it by themselves (NEIGHBORBID_ADMIN_TOKEN or the data directory).',
      configUnreadable: (d: { file: string; problem: string }) => `Cannot read ${d.file}: ${stop(d.problem)}`,
      configJson: (d: { file: string }) => `${d.file} is not valid JSON; fix it or run 'neighborbid login' again.`,
      tuiTerminal: 'The TUI needs a terminal; for scripts use `neighborbid watch` or --json commands.',
      demoTerminal: 'The demo opens the TUI and needs a terminal.',
      listenWithoutDatabase: '--listen-database-url goes with --database-url: the embedded PostgreSQL needs no second URL.',
    }),
  ),
  PAYLOAD_TOO_LARGE: spec(
    413,
    ExitCode.usage,
    byReason('The request body is too large.', { headers: 'The request headers are too large.' }),
    { close: CloseCode.tooBig },
  ),
  UNAUTHORIZED: spec(
    401,
    ExitCode.auth,
    byReason('A valid token is required.', {
      missing: 'This needs a token: send "Authorization: Bearer <token>".',
      invalid: 'The token is not valid.',
      refused: 'The daemon refused the token.',
      privateNeedsUser: (_d: { op: string }) => 'Only a socket opened with a user token has private events.',
      socketBidNeedsUser: 'Bidding on the socket needs a user token: open the socket with one.',
      needsUserToken: "This needs a user token: pass --token, set NEIGHBORBID_TOKEN or run 'neighborbid login --with-token < file'.",
      noAdminToken: (d: { file: string; problem?: string }) =>
        "This needs the admin token: set NEIGHBORBID_ADMIN_TOKEN or run it on the daemon's machine (" +
        (d.problem === undefined
          ? `no token at ${d.file}; use --data-dir if the daemon keeps its data elsewhere`
          : `cannot read ${d.file}: ${d.problem}`) +
        ').',
      emptyAdminToken: (d: { file: string }) => `The admin token file ${d.file} is empty.`,
    }),
  ),
  FORBIDDEN: spec(
    403,
    ExitCode.auth,
    byReason('This token may not do that.', {
      needsUser: 'This needs a user token, not the admin token.',
      needsAdmin: 'This needs the admin token.',
    }),
  ),
  NOT_FOUND: spec(
    404,
    ExitCode.notFound,
    (d: { auction?: number; auctions?: number[]; user?: number; route?: string; path?: string; use?: string }) => {
      if (Array.isArray(d.auctions) && d.auctions.length > 0) return `No auction ${idList(d.auctions)}.`;
      if (typeof d.auction === 'number') return `No auction ${d.auction}.`;
      if (typeof d.user === 'number') return `No user ${d.user}.`;
      if (typeof d.route === 'string') return `No route ${d.route}.`;
      if (typeof d.path === 'string') return `No WebSocket endpoint at ${d.path || '/'}; use ${d.use}.`;
      return 'No such thing exists.';
    },
  ),
  AUCTION_CLOSED: spec(409, ExitCode.rejected, (d: { status?: string }) =>
    typeof d.status === 'string' && d.status !== 'open' ? `The auction is ${d.status}.` : 'The auction has ended.',
  ),
  BID_TOO_LOW: spec(422, ExitCode.rejected, (d: { minimum?: number | null; yourMax?: number }) =>
    d.minimum === null
      ? 'No higher bid is possible on this auction.'
      : d.minimum === undefined
        ? 'The bid is below the minimum next bid.'
        : typeof d.yourMax === 'number' && d.minimum === d.yourMax + 1
          ? `Your maximum is already ${n(d.yourMax)}; a new maximum must be at least ${n(d.minimum)}.`
          : `The bid is below the minimum next bid of ${n(d.minimum)}.`,
  ),
  SELF_BID: spec(422, ExitCode.rejected, 'You cannot bid on or buy your own auction.'),
  INSUFFICIENT_FUNDS: spec(422, ExitCode.rejected, (d: { available?: number }) =>
    typeof d.available === 'number'
      ? `Your available funds (${n(d.available)}) do not cover this amount.`
      : 'Your available funds do not cover this amount.',
  ),
  BUY_NOW_UNAVAILABLE: spec(
    409,
    ExitCode.rejected,
    // Details: reason, buyNowUntil, buyNowPrice, currentPrice (docs/rules.md, "Buy now").
    byReason('Buy now is not available on this auction.', {
      no_buy_now: (_: BuyNowDetails) => 'This auction has no buy-now price.',
      price_reached: (_: BuyNowDetails) => 'Bidding has reached the buy-now price; buy now is no longer available.',
      first_bid: (_: BuyNowDetails) => 'Buy now was offered only until the first bid; this auction has bids.',
      reserve_met: (_: BuyNowDetails) => 'Buy now was offered only until the reserve was met, and it has been.',
    }),
  ),
  CANNOT_CANCEL: spec(409, ExitCode.rejected, (d: { bidCount?: number }) =>
    d.bidCount === undefined ? 'The auction cannot be cancelled.' : 'The auction has bids; only an admin can cancel it now.',
  ),
  IDEMPOTENCY_CONFLICT: spec(409, ExitCode.rejected, 'This Idempotency-Key was used with a different request.'),
  RATE_LIMITED: spec(
    429,
    ExitCode.rejected,
    (d: { limit?: number; windowMs?: number; retryAfterSec?: number; inFlight?: number }) =>
      d.inFlight !== undefined
        ? `At most ${n(d.inFlight)} bids may wait for their replies on one socket; wait for a reply first.`
        : d.limit === undefined || d.windowMs === undefined
          ? 'Too many requests; slow down.'
          : `Too many requests; at most ${n(d.limit)} per ${n(d.windowMs / 1000)} s.` +
            (d.retryAfterSec === undefined ? '' : ` Retry in ${d.retryAfterSec} second${d.retryAfterSec === 1 ? '' : 's'}.`),
    { retryable: true },
  ),
  TOO_MANY_CONNECTIONS: spec(
    429,
    ExitCode.rejected,
    byReason('Too many connections from your address; close some and retry.', {
      http: (d: { limit: number }) => `At most ${n(d.limit)} HTTP connections may be open from one address.`,
      sockets: (d: { limit: number }) => `At most ${n(d.limit)} WebSockets may be open from one address.`,
    }),
    { retryable: true },
  ),
  UNAVAILABLE: spec(
    503,
    ExitCode.unreachable,
    byReason('The database is unavailable; try again shortly.', {
      databaseDown: (_d: { database: 'down' }) => 'The database cannot be reached.',
      pendingMigrations: (d: { database: 'up'; pendingMigrations: number[] }) => `The database lacks migrations ${d.pendingMigrations.join(', ')}.`,
      // `neighborbid status`, of a daemon whose health says it is not ok.
      unhealthy: (d: { origin: string; database?: string }) =>
        `The daemon at ${d.origin} is not healthy (database ${d.database ?? 'unknown'}).`,
      // A daemon whose rules were replaced by a newer daemon's, to its clients.
      rules: 'This daemon is older than the rules installed in its database; try another daemon, or again once it is upgraded.',
      noSocketBids: 'This daemon takes no bids on the socket; bid over HTTP.',
      // A daemon refusing to start against the rules it finds.
      rulesNewer: (d: { installed: number; installedBy: string; mine: number }) =>
        `The database has neighborbid rules version ${d.installed} (installed by neighborbid ${d.installedBy}); ` +
        `this daemon has rules version ${d.mine} and will not run against newer rules: upgrade it.`,
      rulesChanged: (d: { installed: number; installedBy: string }) =>
        `The database has neighborbid rules version ${d.installed} (installed by neighborbid ${d.installedBy}) with other ` +
        'text than this daemon has for that version: a change to the rules needs a new RULES_VERSION.',
    }),
    { retryable: true },
  ),
  SHUTTING_DOWN: spec(503, ExitCode.unreachable, 'The daemon is shutting down; try again shortly.', {
    retryable: true,
    close: CloseCode.goingAway,
  }),
  UNREACHABLE: spec(
    0,
    ExitCode.unreachable,
    (d: { origin?: string; problem?: string; attempts?: number; hint?: 'start'; socketBid?: SocketBidLoss; timeoutMs?: number }) => {
      if (d.socketBid !== undefined) return socketBidLoss(d.socketBid, d.timeoutMs);
      return (
        (d.origin !== undefined
          ? `Cannot reach the daemon at ${d.origin}: ${String(d.problem).replace(/\.+$/, '')}` +
            (d.attempts === undefined ? '.' : ` (tried ${d.attempts} times).`)
          : d.attempts !== undefined
            ? `Gave up after ${d.attempts} attempts to reach the daemon.`
            : 'The daemon cannot be reached.') + (d.hint === 'start' ? ' Start one with `neighborbid daemon`, or try `neighborbid demo`.' : '')
      );
    },
    { retryable: true },
  ),
  // Local only, like UNREACHABLE (status 0: never sent): the daemon cannot start its embedded database here.
  UNSUPPORTED_PLATFORM: spec(0, ExitCode.unreachable, (d: { platform?: string; package?: string }) =>
    d.platform === undefined || d.package === undefined
      ? 'There is no embedded PostgreSQL for this platform; give the daemon a PostgreSQL with --database-url.'
      : `There is no embedded PostgreSQL for ${d.platform} (npm package ${d.package} is not installed); ` +
        'give the daemon a PostgreSQL with --database-url or DATABASE_URL.',
  ),
  TOO_MANY_SUBSCRIPTIONS: spec(400, ExitCode.usage, (d: { limit?: number; watching?: number; auctions?: number[]; leftOut?: number }) =>
    d.limit === undefined
      ? 'Too many subscriptions on one socket.'
      : `A socket may watch at most ${n(d.limit)} auctions; ` +
        (d.leftOut !== undefined
          ? `${n(d.leftOut)} open auction${d.leftOut === 1 ? ' is' : 's are'} left out.`
          : `this one watches ${n(d.watching)}.`),
  ),
  SLOW_CONSUMER: spec(503, ExitCode.unreachable, 'Events were not read fast enough; reconnect and resume.', {
    retryable: true,
    close: CloseCode.slowConsumer,
  }),
  INTERNAL: spec(
    500,
    ExitCode.unexpected,
    byReason('An unexpected error occurred.', {
      unreadableError: 'The daemon sent an unreadable error.',
      notJson: (d: { status: number }) => `The daemon answered ${d.status} with a body that is not JSON.`,
      refusedSocket: (d: { status: number }) => `The daemon refused the socket with HTTP ${d.status} and no error it could read.`,
      // Anything else thrown in the CLI: with --verbose its stack follows the sentence.
      thrown: (d: { problem: string }) => `${d.problem} (run again with --verbose for the stack trace)`,
      thrownVerbose: (d: { problem: string }) => d.problem,
    }),
    { close: CloseCode.internal },
  ),
} as const;

export type ErrorCode = keyof typeof errorCodes;
/** The details an error of this code may carry, which make its sentence. */
export type DetailsOf<C extends ErrorCode> = Parameters<(typeof errorCodes)[C]['message']>[0];

/** The close code a socket is closed with for an error code: its own, else the internal-error one. */
export function closeCodeOf(code: ErrorCode): CloseCode {
  return (errorCodes[code] as CodeSpec<never>).close ?? CloseCode.internal;
}

/** The error a close code stands for (client side); undefined for a normal close or an unknown code. */
export function errorOfClose(close: number): ErrorCode | undefined {
  return (Object.keys(errorCodes) as ErrorCode[]).find((c) => (errorCodes[c] as CodeSpec<never>).close === close);
}

/** The codes a client may retry: the same request can succeed later. */
export const retryableCodes: readonly ErrorCode[] = (Object.keys(errorCodes) as ErrorCode[]).filter((c) => errorCodes[c].retryable);

/** The JSON body of every error answer: `{ "error": ErrorBody }`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

/** An error as a value: a stable code, details, and the sentence the table makes of them. */
export class NbError extends Error {
  readonly code: ErrorCode;
  readonly details: Details;
  /** How long the daemon asked to wait before trying again (its Retry-After), when it said. */
  retryAfterMs: number | undefined;

  /** `message` is given only for an error read off the wire, which carries the daemon's sentence. */
  constructor(code: ErrorCode, details: Details = {}, message: string = errorMessage(code, details)) {
    super(message);
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

/** Makes an error value, its sentence from the table; `new NbError` is for code that handles any code. */
export function nbError<C extends ErrorCode>(code: C, details?: DetailsOf<C>): NbError {
  return new NbError(code, details as Details | undefined);
}

/**
 * The error of a bid or buy whose retries ran out: whether it took effect is
 * unknown, and its sentence says how to find out without acting twice.
 */
export function unsettledError(err: NbError, idempotencyKey: string, what: string): NbError {
  return new NbError(err.code, { ...err.details, idempotencyKey, unsettled: what });
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** Rebuilds an error value from a wire body (client side); unknown codes become INTERNAL. */
export function fromErrorBody(body: unknown): NbError {
  const err = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (!err || !isErrorCode(err.code)) return nbError('INTERNAL', { reason: 'unreadableError' });
  const { code, message, ...details } = err;
  return new NbError(code, details, typeof message === 'string' ? message : undefined);
}

/**
 * The human sentence for a code, made from its details. Any retryable error of
 * a request that carried an Idempotency-Key (details `unsettled`, `idempotencyKey`)
 * also says how to learn whether it took effect.
 */
export function errorMessage(code: ErrorCode, details: Details = {}): string {
  const base = (errorCodes[code].message as (d: Details) => string)(details);
  if (typeof details.unsettled !== 'string' || typeof details.idempotencyKey !== 'string') return base;
  return (
    `${base} The ${details.unsettled} may or may not have been made; run the same command with ` +
    `--idempotency-key ${details.idempotencyKey} to find out without making it twice.`
  );
}
