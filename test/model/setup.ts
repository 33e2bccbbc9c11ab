// The world around the rules: users and their deposits, new auctions, the clock.
import {
  fixedIncrements, incrementTableProblem, standardIncrements, type IncrementTable,
} from '../../src/protocol/increments.js';
import { isMoney, MAX_MONEY } from '../../src/protocol/money.js';
import { limits } from '../../src/protocol/schemas.js';
import { ok, publicAuction, refuse, type Tx } from './state.js';
import type { Answer, CreateAuctionCommand, ModelAuction } from './types.js';

const invalid = (field: string, problem: string) => refuse('INVALID_INPUT', { field, problem });

/** Adds money to the world, which may never total more than MAX_MONEY. */
function mint(tx: Tx, amount: number): boolean {
  if (tx.state.supply + amount > MAX_MONEY) return false;
  tx.state.supply += amount;
  return true;
}

/** Creates a user with an opening balance. */
export function createUser(tx: Tx, cmd: { balance?: number }): Answer {
  const balance = cmd.balance ?? 0;
  if (!isMoney(balance)) return invalid('balance', 'must be a whole amount of at least 0');
  if (!mint(tx, balance)) return invalid('balance', 'would take the money in neighborbid past 2^53 − 1');
  const id = tx.state.nextUserId++;
  tx.state.users[id] = { id, balance, held: 0 };
  return ok({ userId: id });
}

/** Deposits money on a user's balance. */
export function deposit(tx: Tx, cmd: { user: number; amount: number }): Answer {
  if (!isMoney(cmd.amount) || cmd.amount === 0) return invalid('amount', 'must be a whole amount of at least 1');
  const u = tx.user(cmd.user);
  if (!u) return refuse('NOT_FOUND', { user: cmd.user });
  if (!mint(tx, cmd.amount)) return invalid('amount', 'would take the money in neighborbid past 2^53 − 1');
  u.balance += cmd.amount;
  return ok({ balance: u.balance });
}

/** Opens an auction; the checks the HTTP schema makes on these fields, and the new ones of the rules. */
export function createAuction(tx: Tx, cmd: CreateAuctionCommand): Answer {
  const positive = (v: unknown) => isMoney(v) && v > 0;
  if (!positive(cmd.startPrice)) return invalid('startPrice', 'must be a whole amount of at least 1');
  if ((cmd.minIncrement === undefined) === (cmd.increments === undefined)) {
    return invalid('increments', 'give exactly one of minIncrement and increments');
  }
  let increments: IncrementTable;
  if (cmd.minIncrement !== undefined) {
    if (!positive(cmd.minIncrement)) return invalid('minIncrement', 'must be a whole amount of at least 1');
    increments = fixedIncrements(cmd.minIncrement);
  } else {
    increments = cmd.increments === 'standard' ? standardIncrements : cmd.increments!;
    const problem = incrementTableProblem(increments);
    if (problem) return invalid('increments', problem);
  }
  const reserve = cmd.reservePrice ?? null;
  if (reserve !== null && (!positive(reserve) || reserve < cmd.startPrice)) {
    return invalid('reservePrice', 'must be a whole amount of at least startPrice');
  }
  const buyNow = cmd.buyNowPrice ?? null;
  if (buyNow !== null && (!positive(buyNow) || buyNow < cmd.startPrice || (reserve !== null && buyNow < reserve))) {
    return invalid('buyNowPrice', 'must be at least startPrice and reservePrice');
  }
  const soft = cmd.softCloseSec ?? null;
  if (soft !== null && (!Number.isInteger(soft) || soft < 1 || soft > limits.maxSoftCloseSec)) {
    return invalid('softCloseSec', `must be 1 to ${limits.maxSoftCloseSec}`);
  }
  if (!Number.isInteger(cmd.durationSec) || cmd.durationSec < 1 || cmd.durationSec > limits.maxDurationSec) {
    return invalid('durationSec', `must be 1 to ${limits.maxDurationSec}`);
  }
  if (!tx.user(cmd.seller)) return refuse('NOT_FOUND', { user: cmd.seller });

  const id = tx.state.nextAuctionId++;
  const a: ModelAuction = {
    id, sellerId: cmd.seller, status: 'open', startPrice: cmd.startPrice, minIncrement: cmd.minIncrement ?? null,
    increments, reservePrice: reserve, buyNowPrice: buyNow, buyNowUntil: cmd.buyNowUntil ?? 'price',
    softCloseMs: soft === null ? null : soft * 1000, endsAt: tx.now + cmd.durationSec * 1000,
    price: null, leaderId: null, leaderMax: null, bidCount: 0, version: 0, unsoldReason: null,
  };
  tx.state.auctions[id] = a;
  return ok({ auction: publicAuction(a, tx.now) });
}

/** Moves the clock on by `ms`; nothing settles until the closer runs. */
export function advance(tx: Tx, cmd: { ms: number }): Answer {
  if (!Number.isSafeInteger(cmd.ms) || cmd.ms < 0) return invalid('ms', 'must be a whole number of at least 0');
  tx.state.now += cmd.ms;
  return ok();
}
