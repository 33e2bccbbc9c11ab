// Schemas for every input the daemon accepts over HTTP. The daemon validates at
// the edge with these; the client and CLI reuse them to fail early.
import { z } from 'zod';
import { nbError } from './errors.js';
import { incrementTableProblem, MAX_INCREMENT_ROWS, type IncrementTable } from './increments.js';
import { MAX_MONEY } from './money.js';
import { auctionStatuses, buyNowUntils, MAX_USER_IDS } from './types.js';

/** Limits shared by the daemon and its docs. */
export const limits = {
  nameLength: 64,
  titleLength: 200,
  maxDurationSec: 365 * 24 * 3600,
  maxSoftCloseSec: 24 * 3600,
  maxListLimit: 200,
  maxUserIds: MAX_USER_IDS,
  idempotencyKeyLength: 200,
} as const;

/** A positive amount of money: a safe integer ≥ 1, never a string or a fraction. */
export const positiveMoney = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_MONEY, { error: 'must be at most 9007199254740991' });

export const nonNegativeMoney = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(MAX_MONEY, { error: 'must be at most 9007199254740991' });

/** A path id: digits only, a safe integer ≥ 1. */
export const idParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, { error: 'must be a positive whole number' })
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), { error: 'is too large' });

const visibleText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    // Control characters would corrupt terminal output for every watcher.
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'must not contain control characters' });

export const createUserBody = z.strictObject({
  name: visibleText(limits.nameLength),
  balance: nonNegativeMoney.optional(),
});
export type CreateUserBody = z.infer<typeof createUserBody>;

export const depositBody = z.strictObject({ amount: positiveMoney });
export type DepositBody = z.infer<typeof depositBody>;

/**
 * An increment table `[{from, step}, …]` (src/protocol/increments.ts), or
 * "standard" for the table shaped like eBay's.
 */
export const incrementsField = z.union([
  z.literal('standard'),
  z
    .array(z.strictObject({ from: nonNegativeMoney, step: positiveMoney }), { error: 'must be "standard" or a list of {from, step}' })
    .max(MAX_INCREMENT_ROWS, { error: `must have at most ${MAX_INCREMENT_ROWS} rows` })
    .superRefine((table, ctx) => {
      const problem = incrementTableProblem(table);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/^increments/, 'is invalid:') });
    }),
], { error: 'must be "standard" or a list of {from, step}' });
export type IncrementsField = 'standard' | IncrementTable;

export const createAuctionBody = z
  .strictObject({
    title: visibleText(limits.titleLength),
    startPrice: positiveMoney,
    /** A fixed increment; or `increments`, a table. Exactly one. */
    minIncrement: positiveMoney.optional(),
    increments: incrementsField.optional(),
    durationSec: z.number().int().min(1).max(limits.maxDurationSec).optional(),
    endsAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    /** Hidden from everyone; the auction shows only hasReserve and reserveMet. */
    reservePrice: positiveMoney.optional(),
    buyNowPrice: positiveMoney.optional(),
    buyNowUntil: z.enum(buyNowUntils, { error: 'must be "price", "firstBid" or "reserveMet"' }).optional(),
    softCloseSec: z.number().int().min(1).max(limits.maxSoftCloseSec).optional(),
  })
  .refine((b) => (b.durationSec === undefined) !== (b.endsAt === undefined), {
    error: 'give exactly one of durationSec and endsAt',
    path: ['durationSec'],
  })
  .refine((b) => (b.minIncrement === undefined) !== (b.increments === undefined), {
    error: 'give exactly one of minIncrement and increments',
    path: ['increments'],
  })
  .refine((b) => b.reservePrice === undefined || b.reservePrice >= b.startPrice, {
    error: 'reservePrice must be at least startPrice',
    path: ['reservePrice'],
  })
  .refine((b) => b.buyNowPrice === undefined || (b.buyNowPrice >= b.startPrice && b.buyNowPrice >= (b.reservePrice ?? 0)), {
    error: 'buyNowPrice must be at least startPrice and reservePrice',
    path: ['buyNowPrice'],
  });
export type CreateAuctionBody = z.infer<typeof createAuctionBody>;

/** A plain bid `{amount}` (a visible bid of exactly that) or a maximum `{max}` (hidden; the auction bids for you up to it). */
export const bidBody = z
  .strictObject({ amount: positiveMoney.optional(), max: positiveMoney.optional() })
  .refine((b) => (b.amount === undefined) !== (b.max === undefined), {
    error: 'give exactly one of amount and max',
    path: ['amount'],
  });
export type BidBody = z.infer<typeof bidBody>;

/** A listing's `?limit=`: 1 to limits.maxListLimit, `fallback` when absent. */
const listLimit = (fallback: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/, { error: 'must be a whole number' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= limits.maxListLimit, { error: `must be 1 to ${limits.maxListLimit}` })
    .default(fallback);

/** GET /v1/me/bids: the auctions the caller has bid on, newest first. */
export const myBidsQuery = z.strictObject({
  status: z.enum(['open', 'all'], { error: 'must be "open" or "all"' }).default('all'),
  limit: listLimit(100),
});
export type MyBidsQuery = z.infer<typeof myBidsQuery>;

/** Buy and cancel take no fields; an empty object (or no body) is accepted. */
export const emptyBody = z.strictObject({});

export const listAuctionsQuery = z.strictObject({
  status: z.enum([...auctionStatuses, 'all']).default('open'),
  limit: listLimit(50),
  cursor: z.string().max(200).optional(),
});
export type ListAuctionsQuery = z.infer<typeof listAuctionsQuery>;

/** `?ids=1,2,3`: one to 200 path-style ids, comma-separated, nothing else; repeats are answered once. */
export const userIdsQuery = z.strictObject({
  ids: z
    .string({ error: 'must be one list of ids, like ids=1,2,3' })
    .regex(/^[1-9]\d{0,15}(,[1-9]\d{0,15})*$/, { error: 'must be positive whole numbers separated by commas, like 1,2,3' })
    .transform((text) => text.split(',').map(Number))
    .refine((ids) => ids.length <= limits.maxUserIds, { error: `must name at most ${limits.maxUserIds} users` })
    .refine((ids) => ids.every((n) => Number.isSafeInteger(n)), { error: 'holds an id that is too large' })
    .transform((ids) => [...new Set(ids)]),
});
export type UserIdsQuery = z.infer<typeof userIdsQuery>;

export const idempotencyKey = z
  .string()
  .min(1)
  .max(limits.idempotencyKeyLength)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' });

/** Validates one input with a schema; failure is INVALID_INPUT naming the fields ("Invalid <what>: …"). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw nbError('INVALID_INPUT', { reason: 'schema', what, issues: describeIssues(r.error) });
  return r.data;
}

/** Turns a zod failure into one human sentence naming the fields. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')} ${i.message}` : i.message))
    .join('; ');
}
