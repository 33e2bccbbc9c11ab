// How `neighborbid watch` shows an event to people: one line with the time, the
// auction (id and title), what happened, the price, the leader and a few words
// of detail. Lines go out as events arrive, so the columns cannot be measured
// in advance: their widths start from the snapshots, which come first, and
// only ever grow. Users are written by name where `names` knows them.
import { applyEvent, type EventFields } from '../client/apply-event.js';
import type { NameBook } from '../client/name-cache.js';
import { formatClock } from '../format/duration.js';
import type { AuctionEvent, OutbidCause, PrivateEvent } from '../protocol/events.js';
import type { PresenceFrame, SnapshotFrame } from '../protocol/frames.js';
import { formatMoney } from '../format/money.js';
import { displayWidth, padToWidth, plural, truncate } from '../format/text.js';
import type { Paint, Style } from './output.js';
import { byName, NAME_MAX, statusStyle } from './views.js';

/** Everything `watch` prints a line for. */
export type WatchedMessage = SnapshotFrame | AuctionEvent | PrivateEvent | PresenceFrame;

/** What the lines remember of an auction: its title, and the state events leave it in (an extension carries no price or leader). */
interface Known extends EventFields {
  title: string;
  /** A snapshot of it has been shown. */
  shown: boolean;
  /** From the snapshot: the seller set a reserve (unknown without one). */
  hasReserve?: boolean;
}

/** Whom each kind of message names (the types left out name nobody but you). */
const NAMED: { [T in WatchedMessage['type']]?: (m: Extract<WatchedMessage, { type: T }>, known: Map<number, Known>) => (number | null)[] } = {
  snapshot: (m) => [m.state.leaderId],
  bid: (m) => [m.leaderId, m.previousLeaderId],
  // An extension carries no leader: the one the lines know.
  extended: (m, known) => [known.get(m.auction)?.leaderId ?? null],
  sold: (m) => [m.buyerId],
  closed: (m) => [m.winnerId],
  cancelled: (m) => [m.previousLeaderId],
  outbid: (m) => [m.leaderId],
  lost: (m) => [m.winnerId],
  sale: (m) => [m.buyerId],
};

/** An auction no snapshot has described: its events still get lines. */
const UNKNOWN: Known = {
  title: '',
  shown: false,
  version: 0,
  status: 'open',
  currentPrice: null,
  leaderId: null,
  bidCount: 0,
  endsAt: '',
  minNextBid: null,
};

type Column = 'id' | 'title' | 'what' | 'price' | 'leader';

interface Row {
  at: string;
  auction: number | null;
  what: string;
  style: Style | undefined;
  price: string;
  leader: string;
  detail: string;
}

/** How an outbid line says what took the lead. */
const OUTBID_BY: Record<OutbidCause, string> = { bid: '', max: ' by a maximum', buyNow: ' by a buy-now', cancel: ' (the auction was cancelled)' };

/** Longest title shown; longer ones end with an ellipsis. */
const TITLE_MAX = 30;

/** Where the lines find names; none known means users are written by id. */
type Names = NameBook;

const NO_NAMES: Names = { name: () => undefined };

export class EventLines {
  /** The token's user, shown as "you". */
  me: number | null = null;
  names: Names = NO_NAMES;
  private readonly known = new Map<number, Known>();
  private readonly width: Record<Column, number> = { id: 1, title: 0, what: 9, price: 5, leader: 6 };

  constructor(
    private readonly paint: Paint,
    private readonly now: () => number = Date.now,
  ) {}

  /** Learns an auction's title (and so the column widths) before its line is printed. */
  remember(snapshot: SnapshotFrame): void {
    const s = snapshot.state;
    const shown = this.known.get(s.id)?.shown ?? false;
    this.known.set(s.id, { ...s, shown });
    this.learnTitle(s.id, s.title);
  }

  /** Learns only an auction's title (for lines of private events, which carry none). */
  learnTitle(id: number, title: string): void {
    const known = this.known.get(id);
    if (known) known.title = title;
    else this.known.set(id, { ...UNKNOWN, title });
    this.grow('id', String(id).length);
    this.grow('title', Math.min(TITLE_MAX, displayWidth(title)));
  }

  /** The users (other than you) the line for a message names: whose names to know before it is printed. */
  users(m: WatchedMessage): number[] {
    const named = NAMED[m.type] as ((m: WatchedMessage, known: Map<number, Known>) => (number | null)[]) | undefined;
    const ids = named?.(m, this.known) ?? [];
    return ids.filter((id): id is number => id !== null && id !== this.me);
  }

  /** The line for one message, without a newline. */
  line(message: WatchedMessage): string {
    const row = this.row(message);
    const price = this.grow('price', row.price.length);
    const leader = this.grow('leader', displayWidth(row.leader));
    const cells = [
      this.paint('dim', formatClock(row.at)),
      this.auctionCell(row.auction),
      this.paint(row.style, row.what.padEnd(this.grow('what', row.what.length))),
      row.price.padStart(price),
      padToWidth(row.leader, leader),
      row.detail,
    ];
    return cells.join('  ').trimEnd();
  }

  private row(m: WatchedMessage): Row {
    const who = byName(this.names, this.me, NAME_MAX);
    const whose = (id: number) => (id === this.me ? 'your' : `${who(id)}'s`);
    if (m.type === 'balance') {
      return {
        at: m.at,
        auction: null,
        what: 'balance',
        style: 'yellow',
        price: '',
        leader: '',
        detail: `private: balance ${formatMoney(m.balance)}, held ${formatMoney(m.held)}, available ${formatMoney(m.available)}`,
      };
    }
    if (m.type === 'snapshot') {
      const s = m.state;
      this.remember(m);
      const known = this.known.get(s.id)!;
      const seen = known.shown;
      known.shown = true;
      const detail = {
        open:
          `open, ${s.bidCount === 0 ? 'no bids' : plural(s.bidCount, 'bid')}, next bid ${formatMoney(s.minNextBid)}, ` +
          `${s.hasReserve && !s.reserveMet ? 'reserve not met, ' : ''}ends ${formatClock(s.endsAt)}`,
        sold: `already sold to ${who(s.leaderId)}`,
        closed: `already ended, won by ${who(s.leaderId)}`,
        unsold: s.unsoldReason === 'reserve_not_met' ? 'already ended below its reserve' : 'already ended without bids',
        cancelled: 'already cancelled',
      }[s.status];
      return {
        // A snapshot is the state now; it has no time of its own.
        at: new Date(this.now()).toISOString(),
        auction: s.id,
        // The first snapshot starts the watch; a later one follows a gap too long to replay.
        what: seen ? 'resync' : 'watching',
        style: 'bold',
        price: formatMoney(s.currentPrice),
        leader: who(s.leaderId),
        detail,
      };
    }
    if (m.type === 'presence') {
      // How many watch, over all daemons: a count, never who.
      return { at: new Date(this.now()).toISOString(), auction: m.auction, what: 'audience', style: 'dim', price: '', leader: '', detail: `${m.watching} watching` };
    }
    const row = { at: m.at, auction: m.auction };
    // Private events are not ordered with public ones, so they leave what is remembered alone.
    if (m.type === 'outbid') {
      return {
        ...row,
        what: 'outbid',
        style: 'red',
        price: formatMoney(m.price),
        leader: m.leaderId === null ? '—' : who(m.leaderId),
        detail: `private: you were outbid${OUTBID_BY[m.by ?? 'bid']}, your hold of ${formatMoney(m.released)} released`,
      };
    }
    switch (m.type) {
      case 'maxRaised':
        return { ...row, what: 'max raised', style: 'green', price: formatMoney(m.price), leader: '', detail: `private: your maximum of ${formatMoney(m.max)} answered a bid` };
      case 'maxExhausted':
        return { ...row, what: 'max used up', style: 'yellow', price: formatMoney(m.max), leader: '', detail: `private: the price reached your maximum of ${formatMoney(m.max)}` };
      case 'won':
        return { ...row, what: 'won', style: 'green', price: formatMoney(m.price), leader: 'you', detail: `private: you won it for ${formatMoney(m.price)}` };
      case 'lost':
        return m.winnerId === null
          ? { ...row, what: 'lost', style: 'yellow', price: '—', leader: '—', detail: 'private: it ended below its reserve; nobody won it' }
          : { ...row, what: 'lost', style: 'red', price: formatMoney(m.price), leader: who(m.winnerId), detail: `private: it ended, won by ${who(m.winnerId)}` };
      case 'sale':
        return { ...row, what: 'sale', style: 'green', price: formatMoney(m.price), leader: who(m.buyerId), detail: `private: your auction sold to ${who(m.buyerId)}` };
      case 'unsold':
        return {
          ...row, what: 'no sale', style: 'yellow', price: '—', leader: '—',
          detail: m.reason === 'reserve_not_met' ? 'private: your auction ended below its reserve' : 'private: your auction ended without a bid',
        };
    }
    const before = this.known.get(m.auction) ?? UNKNOWN;
    const known = applyEvent(before, m) ?? before;
    this.known.set(m.auction, known);
    const price = formatMoney(known.currentPrice);
    const leader = who(known.leaderId);
    switch (m.type) {
      case 'bid': {
        const outbid =
          m.previousLeaderId !== null && m.previousLeaderId !== m.leaderId
            ? `, ${m.previousLeaderId === this.me ? 'you were' : `${who(m.previousLeaderId)} was`} outbid`
            : '';
        // Met by this bid: the reserve was known to be unmet before it.
        const reserve = before.hasReserve === true && before.reserveMet === false && m.reserveMet ? ', reserve met' : '';
        return {
          ...row,
          what: m.automatic ? 'bid (auto)' : 'bid',
          style: 'green',
          price,
          leader,
          detail: `${plural(known.bidCount, 'bid')}, next bid ${formatMoney(known.minNextBid)}${outbid}${reserve}`,
        };
      }
      case 'extended':
        return {
          ...row,
          what: 'extended',
          style: 'yellow',
          price,
          leader,
          detail: `soft close: now ends ${formatClock(m.endsAt)}`,
        };
      case 'sold':
        return {
          ...row,
          what: 'sold',
          style: statusStyle('sold'),
          price,
          leader,
          detail: `bought now by ${leader}`,
        };
      case 'closed':
        return {
          ...row,
          what: m.status,
          style: statusStyle(m.status),
          price,
          leader,
          detail: m.reason === 'reserve_not_met' ? 'ended below its reserve, no sale' : m.winnerId === null ? 'ended without bids' : `won by ${leader}`,
        };
      case 'cancelled':
        return {
          ...row,
          what: 'cancelled',
          style: statusStyle('cancelled'),
          price: '—',
          leader: '—',
          detail: m.previousLeaderId === null ? 'no winner' : `no winner, ${whose(m.previousLeaderId)} hold released`,
        };
    }
  }

  /** `#7  Brass lamp`, padded to the widths so far; blank for a line about no auction. */
  private auctionCell(id: number | null): string {
    if (id === null) return ' '.repeat(this.width.id + 1 + 2 + this.width.title);
    const tag = `#${id}`.padEnd(this.grow('id', String(id).length) + 1);
    const title = truncate(this.known.get(id)?.title ?? '', TITLE_MAX);
    return `${tag}  ${padToWidth(title, this.grow('title', displayWidth(title)))}`;
  }

  private grow(column: Column, size: number): number {
    this.width[column] = Math.max(this.width[column], size);
    return this.width[column];
  }
}
