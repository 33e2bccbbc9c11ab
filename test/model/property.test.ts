// Random command sequences against the model alone: whatever happens, money
// is conserved, holds are exactly the leaders' maxima, prices stay within
// maxima, versions are gapless and no working maximum or reserve leaks into
// anything another user sees. Prints its seed; NB_SEED=<seed> replays a run
// (and NB_PATH=<path> from a failure report replays just the counterexample).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { soak } from '../helpers/soak.js';
import {
  apply, initialState, type Answer, type Command, type CreateAuctionCommand, type ModelEvent, type ModelState,
} from './auction-model.js';
import { bidAmount, lotMoney } from './arbitraries.js';
import { auditState, isPublic, versionGaps } from './audit.js';

const seed = process.env.NB_SEED ? Number(process.env.NB_SEED) : Math.floor(Math.random() * 2 ** 31);
const path = process.env.NB_PATH;

/** An intent, turned into a command against the state it meets (amounts relative to the price). */
type Op =
  | { kind: 'bid' | 'max'; user: number; lot: number; steps: number }
  | { kind: 'raise'; lot: number; by: number }
  | { kind: 'buy'; user: number; lot: number }
  | { kind: 'cancel'; lot: number; who: number }
  | { kind: 'deposit'; user: number; amount: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'settle' };

const lot = fc.record({
  ...lotMoney,
  softCloseSec: fc.option(fc.integer({ min: 1, max: 60 }), { freq: 2 }),
  durationSec: fc.integer({ min: 1, max: 600 }),
});

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('bid' as const), user: fc.nat({ max: 4 }), lot: fc.nat({ max: 2 }), steps: fc.integer({ min: -1, max: 12 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('max' as const), user: fc.nat({ max: 4 }), lot: fc.nat({ max: 2 }), steps: fc.integer({ min: -1, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raise' as const), lot: fc.nat({ max: 2 }), by: fc.integer({ min: -20, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('buy' as const), user: fc.nat({ max: 4 }), lot: fc.nat({ max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), lot: fc.nat({ max: 2 }), who: fc.integer({ min: -1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deposit' as const), user: fc.nat({ max: 4 }), amount: fc.integer({ min: 1, max: 2000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
);

const workload = fc.record({
  balances: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 5, maxLength: 5 }),
  lots: fc.array(lot, { minLength: 1, maxLength: 3 }),
  ops: fc.array(op, { maxLength: 60, size: 'max' }),
});
type Workload = typeof workload extends fc.Arbitrary<infer W> ? W : never;

function createCommand(l: Workload['lots'][number]): CreateAuctionCommand {
  const reservePrice = l.reserveAbove === null ? undefined : l.startPrice + l.reserveAbove;
  const floor = reservePrice ?? l.startPrice;
  return {
    kind: 'createAuction', seller: l.seller + 1, startPrice: l.startPrice, ...l.increments, durationSec: l.durationSec,
    buyNowUntil: l.buyNowUntil,
    ...(reservePrice === undefined ? {} : { reservePrice }),
    ...(l.buyNowAbove === null ? {} : { buyNowPrice: floor + l.buyNowAbove }),
    ...(l.softCloseSec === null ? {} : { softCloseSec: l.softCloseSec }),
  };
}

/** The command an intent means in this state: amounts `steps` increments past the minimum (-1: one below it). */
function toCommand(s: ModelState, o: Op, lots: number): Command {
  const auction = (o.kind === 'deposit' || o.kind === 'advance' || o.kind === 'settle') ? 0 : (o.lot % lots) + 1;
  const a = s.auctions[auction];
  switch (o.kind) {
    case 'bid':
    case 'max': {
      const n = bidAmount(a, o.steps);
      return { kind: 'bid', auction, user: o.user + 1, body: o.kind === 'max' ? { max: n } : { amount: n } };
    }
    case 'raise':
      return { kind: 'bid', auction, user: a?.leaderId ?? 1, body: { max: Math.max(1, (a?.leaderMax ?? 0) + o.by) } };
    case 'buy':
      return { kind: 'buy', auction, user: o.user + 1 };
    case 'cancel':
      return { kind: 'cancel', auction, by: o.who < 0 ? 'admin' : o.who === 0 ? (a?.sellerId ?? 1) : o.who };
    case 'deposit':
      return { kind: 'deposit', user: o.user + 1, amount: o.amount };
    case 'advance':
      return { kind: 'advance', ms: o.ms };
    case 'settle':
      return { kind: 'settle' };
  }
}

// What anyone may see in each public event: any other field would be a leak.
const publicKeys: Record<string, string[]> = {
  bid: ['type', 'auction', 'version', 'bidId', 'bidderId', 'amount', 'automatic', 'price', 'leaderId', 'previousLeaderId', 'bidCount', 'endsAt', 'minNextBid', 'reserveMet'],
  extended: ['type', 'auction', 'version', 'endsAt', 'bidId'],
  sold: ['type', 'auction', 'version', 'status', 'buyerId', 'price', 'leaderId', 'previousLeaderId', 'endsAt'],
  closed: ['type', 'auction', 'version', 'status', 'winnerId', 'price', 'reason', 'endsAt'],
  cancelled: ['type', 'auction', 'version', 'status', 'previousLeaderId', 'endsAt'],
};
const auctionKeys = ['id', 'sellerId', 'status', 'startPrice', 'minIncrement', 'increments', 'hasReserve', 'reserveMet', 'buyNowPrice',
  'buyNowUntil', 'buyNowAvailable', 'softCloseSec', 'currentPrice', 'leaderId', 'bidCount', 'minNextBid', 'endsAt', 'version', 'unsoldReason'];
const moneyKeys = ['amount', 'price', 'currentPrice', 'released', 'max'];

/** Hidden amounts per auction after a step: working maxima above the price, reserves not yet met. */
function hidden(s: ModelState): Map<number, { owner: number | null; amount: number }[]> {
  const out = new Map<number, { owner: number | null; amount: number }[]>();
  for (const a of Object.values(s.auctions)) {
    const h: { owner: number | null; amount: number }[] = [];
    if (a.status === 'open' && a.leaderMax !== null && a.leaderMax > a.price!) h.push({ owner: a.leaderId, amount: a.leaderMax });
    if (a.reservePrice !== null && (a.price === null || a.price < a.reservePrice)) h.push({ owner: null, amount: a.reservePrice });
    out.set(a.id, h);
  }
  return out;
}

/** Checks that nothing another user sees carries a hidden amount, and that public shapes hold no extra field. */
function checkPrivacy(s: ModelState, answer: Answer, events: ModelEvent[]): void {
  const secrets = hidden(s);
  const leaks = (auction: number, reader: number | null, thing: Record<string, unknown>) => {
    for (const { owner, amount } of secrets.get(auction) ?? []) {
      if (owner !== null && owner === reader) continue;
      for (const k of moneyKeys) expect(thing[k], `${k} of ${JSON.stringify(thing)} reveals ${amount}`).not.toBe(amount);
    }
  };
  for (const e of events) {
    if (isPublic(e)) {
      expect(Object.keys(e).sort()).toEqual([...publicKeys[e.type]!].sort());
      leaks(e.auction, null, e as unknown as Record<string, unknown>);
    } else if (e.type !== 'balance') {
      leaks(e.auction, e.to, e as unknown as Record<string, unknown>);
    }
  }
  if (answer.code === 'OK' && answer.auction) {
    expect(Object.keys(answer.auction).sort()).toEqual([...auctionKeys].sort());
    // Only yourMax is the caller's own; the auction and the rows are what anyone sees.
    leaks(answer.auction.id, null, answer.auction as unknown as Record<string, unknown>);
    for (const b of answer.bids ?? []) leaks(b.auctionId, null, b as unknown as Record<string, unknown>);
  }
}

/** How often each thing happened, to show the runs reach every rule. */
type Tally = Record<string, number>;

function count(t: Tally, key: string): void {
  t[key] = (t[key] ?? 0) + 1;
}

function play(w: Workload, t: Tally): void {
  let s = initialState(0);
  const log: ModelEvent[] = [];
  const commands: Command[] = [
    ...w.balances.map((balance): Command => ({ kind: 'createUser', balance })),
    ...w.lots.map(createCommand),
  ];
  // Everything ends: the ops, then time past the last end and the closer, after which no hold is left.
  const end: Command[] = [{ kind: 'advance', ms: 1000 * 24 * 3600 }, { kind: 'settle' }];
  const total = commands.length + w.ops.length + end.length;
  for (let i = 0; i < total; i++) {
    const o = w.ops[i - commands.length];
    const command = commands[i] ?? (o ? toCommand(s, o, w.lots.length) : end[i - commands.length - w.ops.length]!);
    const step = apply(s, command);
    count(t, step.answer.code);
    for (const e of step.events) {
      count(t, e.type === 'bid' && e.automatic ? 'automatic bid' : e.type === 'closed' ? `closed ${e.reason ?? 'sold'}` : e.type);
    }
    if (step.answer.code !== 'OK') {
      expect(step.state, 'a refusal changes nothing').toBe(s);
      expect(step.events).toEqual([]);
    }
    s = step.state;
    log.push(...step.events);
    expect(auditState(s), JSON.stringify(command)).toEqual([]);
    expect(versionGaps(log)).toEqual([]);
    for (const a of Object.values(s.auctions)) {
      const last = log.filter(isPublic).filter((e) => e.auction === a.id).at(-1);
      expect(last?.version ?? 0).toBe(a.version);
    }
    checkPrivacy(s, step.answer, step.events);
    if (command.kind === 'bid' && step.answer.code === 'OK') {
      const a = s.auctions[command.auction]!;
      expect(step.answer.leading).toBe(a.leaderId === command.user);
      expect(step.answer.auction?.currentPrice).toBe(a.price);
    }
  }
  expect(Object.values(s.users).map((u) => u.held)).toEqual(Object.values(s.users).map(() => 0));
  expect(Object.values(s.auctions).filter((a) => a.status === 'open')).toEqual([]);
}

describe('the model under random commands', () => {
  it('keeps money, holds, prices, versions and privacy right', () => {
    console.log(`model property test: seed ${seed} (replay: NB_SEED=${seed} npx vitest run test/model/property.test.ts)`);
    const tally: Tally = {};
    try {
      fc.assert(
        fc.property(workload, (w) => {
          play(w, tally);
          count(tally, 'runs');
        }),
        { seed, numRuns: soak(400, 20_000), ...(path ? { path } : {}) },
      );
    } catch (err) {
      console.error(`model property test failed: replay with NB_SEED=${seed} (fast-check's report names the path: NB_PATH=…)`);
      throw err;
    }
    console.log(JSON.stringify(tally));
    // The runs reached every rule: each answer and each kind of event happened.
    for (const seen of ['OK', 'BID_TOO_LOW', 'INSUFFICIENT_FUNDS', 'AUCTION_CLOSED', 'SELF_BID', 'BUY_NOW_UNAVAILABLE',
      'CANNOT_CANCEL', 'FORBIDDEN', 'bid', 'automatic bid', 'extended', 'sold', 'cancelled', 'closed sold',
      'closed no_bids', 'closed reserve_not_met', 'outbid', 'maxRaised', 'maxExhausted', 'balance']) {
      expect(tally[seen] ?? 0, seen).toBeGreaterThan(0);
    }
  });
});
