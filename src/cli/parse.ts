// Argument parsers for commander: each turns one typed value into what the API
// wants or throws InvalidArgumentError, which the CLI reports as a usage error.
import { Argument, InvalidArgumentError } from 'commander';
import { parseDuration } from '../format/duration.js';
import { parseMoney } from '../format/money.js';
import type { BuyNowUntil } from '../protocol/types.js';

const written = 'written 10000, 10_000 or 10,000';

/** A positive amount: `10000`, `10_000` or `10,000`. */
export function amountArg(text: string): number {
  const n = parseMoney(text);
  if (n === null || n < 1) throw new InvalidArgumentError(`an amount is a whole number of at least 1, ${written}`);
  return n;
}

/** A starting balance, which may be zero. */
export function balanceArg(text: string): number {
  const n = parseMoney(text);
  if (n === null) throw new InvalidArgumentError(`an amount is a whole number, ${written}`);
  return n;
}

/** A user or auction id: a positive whole number. */
export function idArg(text: string): number {
  const n = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('an id is a positive whole number');
  return n;
}

/** An argument that names auctions by id; shell completion offers the daemon's open ones. */
export class AuctionIdArgument extends Argument {}

/** A position in the inbox: 0 or a seq. */
export function seqArg(text: string): number {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('a position is a whole number, 0 for the oldest kept');
  return n;
}

const buyNowUntilWords: Record<string, BuyNowUntil> = { 'first-bid': 'firstBid', 'reserve-met': 'reserveMet', price: 'price' };

/** When buy now goes away, as typed (`first-bid`) into the API's word (`firstBid`). */
export function buyNowUntilArg(text: string): BuyNowUntil {
  const until = Object.hasOwn(buyNowUntilWords, text) ? buyNowUntilWords[text] : undefined;
  if (until === undefined) throw new InvalidArgumentError(`Allowed choices are ${Object.keys(buyNowUntilWords).join(', ')}.`);
  return until;
}

/** A duration in whole seconds: `90s`, `10m`, `2h`, `1h30m`. */
export function durationArg(text: string): number {
  const n = parseDuration(text);
  if (n === null) throw new InvalidArgumentError('a duration is a number and a unit, such as 90s, 10m, 2h or 1h30m');
  return n;
}

/** A listing limit, 1 to 200. */
export function limitArg(text: string): number {
  const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 200)) throw new InvalidArgumentError('the limit is a whole number from 1 to 200');
  return n;
}

/**
 * An ISO 8601 date-time, sent on as UTC. A time without an offset is read as
 * local time, as a person typing it would mean.
 */
export function isoTimeArg(text: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError('a time is ISO 8601, such as 2030-01-31T18:00:00Z');
  return new Date(ms).toISOString();
}
