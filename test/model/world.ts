// A small driver for the model's unit tests: a state that commands move on,
// and short names for the commands. Each test builds its own world.
import { expect } from 'vitest';
import { apply, initialState, type Accepted, type Answer, type Command, type CreateAuctionCommand, type ModelAuction, type ModelEvent, type ModelState, type ModelUser, type PublicEvent } from './auction-model.js';
import { auditState, isPublic, versionGaps } from './audit.js';

export type AuctionFields = Partial<Omit<CreateAuctionCommand, 'kind' | 'seller'>>;

/**
 * The market of docs/rules.md: Sam the seller with nothing, Ann, Bob and Cat
 * with 1,000 each, and one auction of Sam's — start 100, increment 10, an hour
 * — changed by `fields`.
 */
export function market(fields: AuctionFields = {}) {
  const w = new World();
  const seller = w.user(0);
  const ann = w.user(1000);
  const bob = w.user(1000);
  const cat = w.user(1000);
  const lot = w.auction(seller, fields);
  return { w, seller, ann, bob, cat, lot, end: w.a(lot).endsAt };
}

export class World {
  state: ModelState = initialState(1_000_000);
  /** Every event so far, in order. */
  readonly log: ModelEvent[] = [];
  /** The events of the last command. */
  events: ModelEvent[] = [];

  /** Applies a command and checks the audit after it. */
  do(command: Command): Answer {
    const step = apply(this.state, command);
    this.state = step.state;
    this.events = step.events;
    this.log.push(...step.events);
    expect(auditState(this.state)).toEqual([]);
    expect(versionGaps(this.log)).toEqual([]);
    return step.answer;
  }

  /** Like `do`, but the command must be accepted. */
  ok(command: Command): Accepted {
    const answer = this.do(command);
    expect(answer, JSON.stringify(command)).toMatchObject({ code: 'OK' });
    return answer as Accepted;
  }

  user(balance = 10_000): number {
    return this.ok({ kind: 'createUser', balance }).userId!;
  }

  auction(seller: number, fields: AuctionFields = {}): number {
    const increments = fields.increments === undefined && fields.minIncrement === undefined ? { minIncrement: 10 } : {};
    return this.ok({ kind: 'createAuction', seller, startPrice: 100, durationSec: 3600, ...increments, ...fields }).auction!.id;
  }

  bid(auction: number, user: number, amount: number): Answer {
    return this.do({ kind: 'bid', auction, user, body: { amount } });
  }

  max(auction: number, user: number, max: number): Answer {
    return this.do({ kind: 'bid', auction, user, body: { max } });
  }

  buy(auction: number, user: number): Answer {
    return this.do({ kind: 'buy', auction, user });
  }

  cancel(auction: number, by: number | 'admin'): Answer {
    return this.do({ kind: 'cancel', auction, by });
  }

  advance(ms: number): void {
    this.ok({ kind: 'advance', ms });
  }

  settle(): number[] {
    return this.ok({ kind: 'settle' }).settled!;
  }

  a(id: number): ModelAuction {
    return this.state.auctions[id]!;
  }

  u(id: number): ModelUser {
    return this.state.users[id]!;
  }

  /** The auction's bid rows as [bidder, amount, automatic]. */
  rows(auction: number): [number, number, boolean][] {
    return this.state.bids.filter((b) => b.auctionId === auction).map((b) => [b.bidderId, b.amount, b.automatic]);
  }

  /** The last command's public events. */
  publicEvents(): PublicEvent[] {
    return this.events.filter(isPublic);
  }

  /** The last command's private events to `user`, balance events left out. */
  privateTo(user: number): ModelEvent[] {
    return this.events.filter((e) => 'to' in e && e.to === user && e.type !== 'balance');
  }
}
