// Drives a real daemon with the reference model's commands (test/model) and
// reads back what the model can be compared with: answers, users' money,
// auctions (the hidden maximum included), outbox events and bid rows, all in
// the model's ids (the daemon's own are mapped). The daemon's clock is real and
// the model's is not: before each command `sync` puts every open auction's
// end at the model's time left (plus a margin smaller than the model's time
// unit), so the soft close and "has it ended" decide alike, and the closer
// settles exactly the auctions the model's `settle` does.
import { sqlArray, type Sql } from '../../src/daemon/db/database.js';
import { NbError } from '../../src/protocol/errors.js';
import type { Auction, BidResult } from '../../src/protocol/types.js';
import type {
  Accepted, Answer, Command, ModelEvent, ModelState, Observation, PublicAuction,
} from '../model/auction-model.js';
import type { StartedTestDaemon } from './daemon.js';
import { seedUser, type SeededUser } from './seed.js';

/** Model times are whole multiples of this (ms); the daemon's ends sit half of it later. */
export const TIME_UNIT_MS = 10_000;
// Half a unit either way: an end the model has not reached (a unit or more
// away) is still ahead of the daemon's clock after 5 s of real time, and a
// soft close the model makes (the end moves by a unit or more) still moves the
// daemon's end by the second it must (docs/rules.md) after 4 s.
const MARGIN_MS = TIME_UNIT_MS / 2;

/** A comparable rendering of an answer: the same for the model's and the daemon's. */
export type View = Record<string, unknown>;

/** One event as compared: public ones by their fields, private ones by whom they are for. */
export type Note = (string | number | boolean | null)[];

interface OutboxRow {
  auction: number;
  version: number;
  type: string;
  payload: Record<string, unknown>;
  private: Record<string, { userId: number; max?: number; released?: number; by?: string }> | null;
}

export class DaemonDriver {
  private readonly users = new Map<number, SeededUser>();
  private readonly userModel = new Map<number, number>();
  private readonly auctionIds = new Map<number, number>();
  private readonly auctionModel = new Map<number, number>();
  /** Per daemon auction id, the last outbox version read. */
  private readonly seen = new Map<number, number>();
  private lastSync = 0;
  private lastEnds = '';
  /** Commands sent, for the report. */
  sent = 0;

  constructor(private readonly daemon: StartedTestDaemon) {}

  private get sql(): Sql {
    return this.daemon.context.sql;
  }

  /** The daemon's id of a model user. */
  user(id: number): SeededUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`no user ${id} in this run`);
    return u;
  }

  auctionId(id: number): number {
    const a = this.auctionIds.get(id);
    if (a === undefined) throw new Error(`no auction ${id} in this run`);
    return a;
  }

  /** A daemon user id in the model's numbering (null stays null). */
  private m(id: number | null | undefined): number | null {
    if (id === null || id === undefined) return null;
    const u = this.userModel.get(id);
    if (u === undefined) throw new Error(`the daemon named user ${id}, unknown to this run`);
    return u;
  }

  /**
   * Puts each open auction's end at the model's time left (plus the margin), or
   * in the past once the model's end has come. Skipped when nothing changed and
   * little real time has passed since the last one.
   */
  async sync(s: ModelState): Promise<void> {
    const open = Object.values(s.auctions).filter((a) => a.status === 'open');
    const left = open.map((a) => a.endsAt - s.now);
    const key = JSON.stringify(left);
    if (open.length === 0 || (key === this.lastEnds && Date.now() - this.lastSync < 1000)) return;
    const ids = open.map((a) => this.auctionId(a.id));
    const ms = left.map((l) => (l > 0 ? l + MARGIN_MS : l - 1000));
    this.lastSync = Date.now();
    await this.sql`
      UPDATE auctions a SET ends_at = date_trunc('milliseconds', now()) + x.ms * interval '1 millisecond'
        FROM unnest(${sqlArray(ids)}::bigint[], ${sqlArray(ms)}::bigint[]) AS x(id, ms)
       WHERE a.id = x.id AND a.status = 'open'`;
    this.lastEnds = key;
  }

  /** Sends one model command to the daemon; the answer in the model's terms. */
  async send(c: Command): Promise<Answer> {
    this.sent++;
    try {
      switch (c.kind) {
        case 'createUser': {
          const u = await seedUser(this.daemon, c.balance ?? 0);
          const id = this.users.size + 1;
          this.users.set(id, u);
          this.userModel.set(u.id, id);
          return { code: 'OK', userId: id };
        }
        case 'deposit':
          return { code: 'OK', balance: (await this.daemon.admin.deposit(this.user(c.user).id, c.amount)).balance };
        case 'createAuction': {
          const { kind: _, seller, increments, ...fields } = c;
          const table = increments === undefined ? {} : { increments: increments === 'standard' ? ('standard' as const) : increments.map((r) => ({ ...r })) };
          const a = await this.user(seller).client.createAuction({ title: `lot ${this.auctionIds.size + 1}`, ...fields, ...table });
          const id = this.auctionIds.size + 1;
          this.auctionIds.set(id, a.id);
          this.auctionModel.set(a.id, id);
          this.seen.set(a.id, 0);
          return { code: 'OK', auction: this.auction(a) };
        }
        case 'bid': {
          const client = this.user(c.user).client;
          const id = this.auctionId(c.auction);
          const r = 'max' in c.body ? await client.bidMax(id, c.body.max) : await client.bid(id, c.body.amount);
          return this.bidAnswer(r);
        }
        case 'buy':
          return { code: 'OK', auction: this.auction((await this.user(c.user).client.buy(this.auctionId(c.auction))).auction) };
        case 'cancel': {
          const client = c.by === 'admin' ? this.daemon.admin : this.user(c.by).client;
          return { code: 'OK', auction: this.auction((await client.cancel(this.auctionId(c.auction))).auction) };
        }
        case 'advance':
          return { code: 'OK' };
        case 'settle':
          await this.daemon.closer.runOnce();
          return { code: 'OK' };
      }
    } catch (err) {
      if (!(err instanceof NbError)) throw err;
      return { code: err.code, details: err.details };
    }
  }

  private bidAnswer(r: BidResult): Accepted {
    const row = (b: NonNullable<BidResult['bid']>) => ({ bidderId: this.m(b.bidderId), amount: b.amount, automatic: b.automatic, version: b.version });
    return {
      code: 'OK',
      auction: this.auction(r.auction),
      bid: r.bid === null ? null : (row(r.bid) as never),
      bids: r.bids.map(row) as never,
      leading: r.leading,
      yourMax: r.yourMax,
    };
  }

  /** The daemon's auction as the model's public view (its ids mapped, its end left out). */
  private auction(a: Auction): PublicAuction {
    const { title: _t, createdAt: _c, endsAt: _e, id, sellerId, leaderId, ...rest } = a;
    return { ...rest, id: this.auctionModel.get(id)!, sellerId: this.m(sellerId)!, leaderId: this.m(leaderId), endsAt: 0 };
  }

  /** What `observe(model)` gives, read from the database (hidden maxima included). */
  async observe(): Promise<Observation> {
    const [row] = await this.sql<{ users: Observation['users']; auctions: (Observation['auctions'][number])[] }[]>`
      SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'balance', balance, 'held', held,
                                                            'available', balance - held) ORDER BY id), '[]')
                FROM users WHERE id = ANY (${sqlArray([...this.userModel.keys()])}::bigint[])) AS users,
             (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'status', status, 'price', current_price,
                       'leaderId', leader_id, 'leaderMax', leader_max, 'bidCount', bid_count, 'version', version,
                       'endsAt', 0, 'reserveMet', nb_reserve_met(a), 'unsoldReason', unsold_reason) ORDER BY id), '[]')
                FROM auctions a WHERE id = ANY (${sqlArray([...this.auctionModel.keys()])}::bigint[])) AS auctions`;
    return {
      users: row!.users.map((u) => ({ ...u, id: this.m(u.id)! })).sort((p, q) => p.id - q.id),
      auctions: row!.auctions
        .map((a) => ({ ...a, id: this.auctionModel.get(a.id)!, leaderId: this.m(a.leaderId) }))
        .sort((p, q) => p.id - q.id),
    };
  }

  /** The outbox rows written since the last call, per model auction, as notes in version order. */
  async newEvents(): Promise<Map<number, Note[]>> {
    const ids = [...this.seen.keys()];
    const after = ids.map((id) => this.seen.get(id)!);
    const rows = await this.sql<OutboxRow[]>`
      SELECT e.auction_id AS auction, e.version, e.type, e.payload, e.private
        FROM events e JOIN unnest(${sqlArray(ids)}::bigint[], ${sqlArray(after)}::bigint[]) AS x(id, after)
          ON e.auction_id = x.id AND e.version > x.after
       ORDER BY e.auction_id, e.version`;
    const out = new Map<number, Note[]>();
    for (const r of rows) {
      this.seen.set(r.auction, r.version);
      const id = this.auctionModel.get(r.auction)!;
      const notes = out.get(id) ?? [];
      out.set(id, notes);
      const p = r.payload;
      notes.push(publicNote({ ...p, type: r.type, bidderId: this.m(p.bidderId as number), leaderId: this.m(p.leaderId as number),
        previousLeaderId: this.m(p.previousLeaderId as number), buyerId: this.m(p.buyerId as number), winnerId: this.m(p.winnerId as number) }));
      const priv = r.private ?? {};
      const price = r.type === 'cancelled' ? null : (p.price as number);
      const leader = r.type === 'cancelled' ? null : this.m(p.leaderId as number);
      if (priv.maxRaised) notes.push(['maxRaised', this.m(priv.maxRaised.userId), r.version, price, priv.maxRaised.max!]);
      if (priv.maxExhausted) notes.push(['maxExhausted', this.m(priv.maxExhausted.userId), r.version, priv.maxExhausted.max!]);
      if (priv.outbid) {
        notes.push(['outbid', this.m(priv.outbid.userId), r.version, priv.outbid.by!, price, leader, priv.outbid.released!]);
      }
    }
    return out;
  }

  /** Every `lost` event in the run's users' inboxes, as lostNotes gives the model's. */
  async lost(): Promise<Note[]> {
    const rows = await this.sql<{ user_id: number; payload: { auction: number; version: number; price: number | null; winnerId: number | null; reason: string | null } }[]>`
      SELECT user_id, payload FROM inbox
       WHERE user_id = ANY (${sqlArray([...this.userModel.keys()])}::bigint[]) AND payload->>'type' = 'lost'`;
    return sortNotes(rows.map(({ user_id, payload: p }) => [
      this.m(user_id), this.auctionModel.get(p.auction)!, p.version, p.price, this.m(p.winnerId), p.reason,
    ]));
  }

  /** Every bid row of a model auction as [bidder, amount, automatic]. */
  async rows(auction: number): Promise<[number | null, number, boolean][]> {
    const rows = await this.sql<{ bidder_id: number; amount: number; automatic: boolean }[]>`
      SELECT bidder_id, amount, automatic FROM bids WHERE auction_id = ${this.auctionId(auction)} ORDER BY version`;
    return rows.map((r) => [this.m(r.bidder_id), r.amount, r.automatic]);
  }

  /** GET /v1/me/bids of a model user, in the model's terms and order (ascending auction). */
  async myBids(user: number): Promise<{ auction: number; status: string; price: number | null; leading: boolean; yourMax: number }[]> {
    const { bids } = await this.user(user).client.myBids({ limit: 200 });
    return bids
      .map((b) => ({ auction: this.auctionModel.get(b.auctionId)!, status: b.status, price: b.currentPrice, leading: b.leading, yourMax: b.yourMax }))
      .filter((b) => b.auction !== undefined)
      .sort((p, q) => p.auction - q.auction);
  }
}

/** The model's `lost` events as notes: [to, auction, version, price, winner, reason], in one order. */
export function lostNotes(events: ModelEvent[]): Note[] {
  return sortNotes(events.flatMap((e) => (e.type === 'lost' ? [[e.to, e.auction, e.version, e.price, e.winnerId, e.reason]] : [])));
}

const sortNotes = (notes: Note[]): Note[] => notes.sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)));

/** A public event as compared (version and end left out: they are compared apart). */
function publicNote(e: Record<string, unknown>): Note {
  switch (e.type) {
    case 'bid':
      return ['bid', e.bidderId, e.amount, e.automatic, e.price, e.leaderId, e.previousLeaderId, e.bidCount, e.minNextBid, e.reserveMet] as Note;
    case 'extended':
      return ['extended'];
    case 'sold':
      return ['sold', e.buyerId, e.price, e.previousLeaderId] as Note;
    case 'closed':
      return ['closed', e.status, e.winnerId, e.price, e.reason] as Note;
    default:
      return ['cancelled', e.previousLeaderId] as Note;
  }
}

/**
 * The model's events of one step as notes, per auction, in the outbox's order:
 * each public event, then the private events that go with it (maxRaised,
 * maxExhausted, outbid), which the model tells after a row's extension.
 */
export function modelNotes(events: ModelEvent[]): Map<number, Note[]> {
  const rank = { maxRaised: 1, maxExhausted: 2, outbid: 3 };
  const rows = new Map<string, { pub: Note; priv: [number, Note][] }>();
  const byAuction = new Map<number, { pub: Note; priv: [number, Note][] }[]>();
  for (const e of events) {
    // Balances compare as money; a `lost` the daemon writes on the closer's next pass, compared at the end.
    if (e.type === 'balance' || e.type === 'lost') continue;
    if ('to' in e) {
      const n: Note =
        e.type === 'maxRaised' ? ['maxRaised', e.to, e.version, e.price, e.max]
          : e.type === 'maxExhausted' ? ['maxExhausted', e.to, e.version, e.max]
            : ['outbid', e.to, e.version, e.by, e.price, e.leaderId, e.released];
      rows.get(`${e.auction}:${e.version}`)!.priv.push([rank[e.type], n]);
      continue;
    }
    const row = { pub: publicNote(e as unknown as Record<string, unknown>), priv: [] as [number, Note][] };
    rows.set(`${e.auction}:${e.version}`, row);
    const list = byAuction.get(e.auction) ?? [];
    byAuction.set(e.auction, list);
    list.push(row);
  }
  const out = new Map<number, Note[]>();
  for (const [id, list] of byAuction) {
    out.set(id, list.flatMap((r) => [r.pub, ...r.priv.sort((p, q) => p[0] - q[0]).map(([, n]) => n)]));
  }
  return out;
}
