// The real BoardSource: one multiplexed socket (src/client/socket-client.ts)
// for the live stream and the bids, and the HTTP client for the rest of what
// a person does (and for bids while the socket is down).
import { randomUUID } from 'node:crypto';
import type { HttpClient } from '../../client/http-client.js';
import type { AuctionMessage, BidMoney, SocketClient, SocketState } from '../../client/socket-client.js';
import { fromErrorBody, NbError } from '../../protocol/errors.js';
import type { Auction, AuctionDetail, BidResult, Me, MyBids, UserList } from '../../protocol/types.js';
import type { Away, BoardSource, BoardSourceHandlers, ConnectionState } from './board-source.js';

/** The part of the socket client the board uses (a fake can stand in for it). */
export type SocketLike = Pick<SocketClient, 'subscribe' | 'unsubscribe' | 'onState' | 'onPrivate' | 'close' | 'bid' | 'canBid'>;

/** Most open auctions the board loads (pages of 200). */
const MAX_LISTED = 1000;

/** The inbox side of a live board: what was missed, and where to note each private event seen. */
export interface LiveInbox {
  away: Away;
  /** Called with each private event's seq once the board has it. */
  seen(seq: number): void;
}

export class LiveBoardSource implements BoardSource {
  readonly address: string;
  readonly hasUser: boolean;
  readonly away: Away | undefined;
  private handlers: BoardSourceHandlers | null = null;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly http: HttpClient,
    private readonly socket: SocketLike,
    private readonly inbox?: LiveInbox,
  ) {
    this.address = http.baseUrl.host;
    this.hasUser = Boolean(http.token);
    this.away = inbox?.away;
  }

  start(handlers: BoardSourceHandlers): void {
    this.handlers = handlers;
    let wasLive = false;
    this.off.push(
      this.socket.onState((s) => {
        handlers.connection(connectionOf(s, wasLive));
        if (s.kind === 'live') wasLive = true;
      }),
      this.socket.onPrivate((e) => {
        handlers.private(e);
        this.inbox?.seen(e.seq);
      }),
    );
  }

  subscribe(ids: number[]): void {
    if (ids.length === 0) return;
    // Acknowledgement is not awaited: the snapshot that follows is what the board waits for.
    void this.socket.subscribe(ids, (m) => this.deliver(m));
  }

  unsubscribe(ids: number[]): void {
    if (ids.length) this.socket.unsubscribe(ids);
  }

  private deliver(m: AuctionMessage): void {
    const h = this.handlers;
    if (!h) return;
    if (m.type === 'snapshot') h.snapshot(m.state);
    else if (m.type === 'presence') h.presence?.(m.auction, m.watching);
    else if (m.type !== 'error') h.event(m);
    // A refused subscription (the auction vanished) leaves the row as the list last had it;
    // the next list refresh settles it.
  }

  async listOpen(): Promise<Auction[]> {
    const out: Auction[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.http.listAuctions({ status: 'open', limit: 200, cursor });
      out.push(...page.auctions);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < MAX_LISTED);
    return out;
  }

  detail(id: number): Promise<AuctionDetail> {
    return this.http.auction(id);
  }

  async me(): Promise<Me | null> {
    return this.hasUser ? this.http.me() : null;
  }

  users(ids: readonly number[]): Promise<UserList> {
    return this.http.users(ids);
  }

  bid(auctionId: number, amount: number): Promise<BidResult> {
    return this.place(auctionId, { amount }, (key) => this.http.bid(auctionId, amount, { idempotencyKey: key }));
  }

  bidMax(auctionId: number, max: number): Promise<BidResult> {
    return this.place(auctionId, { max }, (key) => this.http.bidMax(auctionId, max, { idempotencyKey: key }));
  }

  /**
   * Bids over the socket while it is up, else over HTTP. Every bid carries a
   * fresh idempotency key, so a socket lost before the reply falls back to
   * HTTP with the same key: the daemon answers the first bid's result if it
   * was made, and makes it now if not — never twice.
   */
  private async place(auctionId: number, money: BidMoney, overHttp: (key: string) => Promise<BidResult>): Promise<BidResult> {
    const key = `tui-${randomUUID()}`;
    if (this.socket.canBid) {
      try {
        const reply = await this.socket.bid(auctionId, money, { key });
        if (reply.status >= 400) throw fromErrorBody(reply.body);
        return reply.body as BidResult;
      } catch (err) {
        if (!(err instanceof NbError) || err.code !== 'UNREACHABLE') throw err;
      }
    }
    return overHttp(key);
  }

  myBids(): Promise<MyBids> {
    return this.http.myBids({ status: 'open' });
  }

  buy(auctionId: number): Promise<{ auction: Auction }> {
    return this.http.buy(auctionId);
  }

  async close(): Promise<void> {
    for (const off of this.off.splice(0)) off();
    this.handlers = null;
    await this.socket.close();
    this.http.close();
  }
}

/** The header's view of the socket: once it has been live, any new attempt is a reconnect. */
export function connectionOf(s: SocketState, wasLive: boolean): ConnectionState {
  switch (s.kind) {
    case 'connecting':
      return wasLive || s.attempt > 1 ? { kind: 'reconnecting', attempt: s.attempt } : { kind: 'connecting' };
    case 'live':
      return { kind: 'live' };
    case 'reconnecting':
      return { kind: 'reconnecting', attempt: s.attempt, code: s.error.code };
    case 'closed':
      return s.error ? { kind: 'closed', reason: s.reason, code: s.error.code } : { kind: 'closed', reason: s.reason };
  }
}
