// The inbox: every private event of a user (outbid, maxRaised, maxExhausted,
// won, lost, sale, unsold, balance), stored in the transaction that caused it and numbered per user
// (`seq`: 1, 2, 3… with no gap, in commit order), so a user who was away reads
// what they missed over HTTP (GET /v1/me/events) or resumes it on a socket
// (the `inbox` frame). No I/O: the daemon, the client and the CLI share it.
import { z } from 'zod';
import type { PrivateEvent } from './events.js';

/** A private event as the inbox holds it: with its place in the user's sequence. */
export type InboxEvent = PrivateEvent & { seq: number };

/**
 * What is kept: events younger than `days`, and at most the newest `events`
 * per user. The closer prunes the rest; asking for older ones says so
 * (`truncated`), it is never an error.
 */
export const INBOX_RETENTION = { days: 30, events: 1000 } as const;

/** Most events one GET /v1/me/events returns; the default is INBOX_PAGE_DEFAULT. */
export const INBOX_PAGE_MAX = 1000;
export const INBOX_PAGE_DEFAULT = 100;

/** The answer of GET /v1/me/events. */
export interface InboxPage {
  /** Events after the position asked for, oldest first. */
  events: InboxEvent[];
  /** Where to continue: the last event's seq (or, with no event, the position the answer stands at). */
  next: number;
  /** The user's newest seq now; `next < last` means there is more to read. */
  last: number;
  /**
   * True when events between `after` and the first one returned are no longer
   * kept (pruned), or when `after` is past `last` (a position from another
   * database): the answer then starts at the oldest event kept.
   */
  truncated: boolean;
}

/** A position in the inbox: 0 (before the first event) or a seq. */
export const inboxSeq = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

const digits = (max: number, what: string) =>
  z
    .string({ error: 'must be one whole number' })
    .regex(/^\d{1,16}$/, { error: 'must be a whole number' })
    .transform(Number)
    .refine((n) => n <= max, { error: what });

/** `?after=SEQ&limit=N`: both optional (after 0, limit 100). */
export const inboxQuery = z.strictObject({
  after: digits(Number.MAX_SAFE_INTEGER, 'is too large').default(0),
  limit: digits(INBOX_PAGE_MAX, `must be 1 to ${INBOX_PAGE_MAX}`)
    .refine((n) => n >= 1, { error: `must be 1 to ${INBOX_PAGE_MAX}` })
    .default(INBOX_PAGE_DEFAULT),
});
export type InboxQuery = z.infer<typeof inboxQuery>;
