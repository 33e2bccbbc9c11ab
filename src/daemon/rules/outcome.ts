// What a rule answers: an HTTP-shaped status and body, decided inside the
// transaction (and stored with an idempotency key), so a replay is identical.
import { errorMessage, isErrorCode, type NbError } from '../../protocol/errors.js';
import type { AuctionEvent, EventPrivate } from '../../protocol/events.js';

export interface Outcome {
  status: number;
  body: unknown;
  /** True when this answer is the stored first answer to an Idempotency-Key. */
  replayed?: boolean;
}

/** An outbox row as the rules return it, ready to publish after commit. */
export interface OutboxEvent {
  payload: AuctionEvent;
  private?: EventPrivate | null;
}

/** The shape every money-moving SQL function returns. */
export interface RuleResult {
  results: Outcome[];
  events: OutboxEvent[];
}

/** Adds the human sentence to an error body that SQL produced with only a code. */
export function completeOutcome(raw: Outcome): Outcome {
  const err = (raw.body as { error?: Record<string, unknown> } | null)?.error;
  if (err && isErrorCode(err.code) && typeof err.message !== 'string') {
    const { code, ...details } = err;
    return { ...raw, body: { error: { ...details, code, message: errorMessage(code, details) } } };
  }
  return raw;
}

export function errorOutcome(err: NbError): Outcome {
  return { status: err.status, body: { error: err.toBody() } };
}
