// What a rule answers: a body decided inside the transaction (and stored with
// an idempotency key, so a replay is identical), given its HTTP status here:
// a refusal's from the error table, a success's by the rule that succeeded.
// The rules themselves never name an HTTP status.
import { errorCodes, errorMessage, isErrorCode, type NbError } from '../../protocol/errors.js';
import type { AuctionEvent, EventPrivate } from '../../protocol/events.js';

export interface Outcome {
  status: number;
  body: unknown;
  /** True when this answer is the stored first answer to an Idempotency-Key. */
  replayed?: boolean;
}

/** A rule's answer to one request, as SQL gives it: the body, or a refusal {error: {code, …details}}. */
export interface RuleAnswer {
  body: unknown;
  replayed?: boolean;
}

/** An outbox row as the rules return it, ready to publish after commit. */
export interface OutboxEvent {
  payload: AuctionEvent;
  private?: EventPrivate | null;
}

/** The shape every money-moving SQL function returns. */
export interface RuleResult {
  results: RuleAnswer[];
  events: OutboxEvent[];
  /** Balance changes no event carries (a leader raising their own maximum moves only their hold). */
  balances?: { userId: number; balance: number; held: number }[];
}

/**
 * The answer with its status: a refusal's from the error table (with the
 * code's sentence added when SQL gave only the code), else `success`.
 */
export function toOutcome(answer: RuleAnswer, success: number): Outcome {
  const err = (answer.body as { error?: Record<string, unknown> } | null)?.error;
  const replayed = answer.replayed ? { replayed: true } : {};
  if (!err || !isErrorCode(err.code)) return { status: success, body: answer.body, ...replayed };
  const { code, ...details } = err;
  const body = typeof err.message === 'string' ? answer.body : { error: { ...details, code, message: errorMessage(code, details) } };
  return { status: errorCodes[code].status, body, ...replayed };
}

export function errorOutcome(err: NbError): Outcome {
  return { status: err.status, body: { error: err.toBody() } };
}
