// A typed client for the daemon's HTTP API. Error bodies come back as NbError
// values with their stable codes; a daemon that cannot be reached is
// UNREACHABLE. Built on node:http (not fetch) so a one-shot CLI starts fast.
import http from 'node:http';
import https from 'node:https';
import { fromErrorBody, nbError, NbError } from '../protocol/errors.js';
import type { InboxPage } from '../protocol/inbox.js';
import type { CreateAuctionBody } from '../protocol/schemas.js';
import type {
  AuctionDetail,
  AuctionList,
  AuctionStatus,
  AuditReport,
  Auction,
  Balance,
  BidResult,
  CreatedUser,
  Health,
  Me,
  MyBids,
  UserList,
  UserName,
} from '../protocol/types.js';

export interface ClientOptions {
  /** Base URL of the daemon, e.g. http://127.0.0.1:7700 */
  url: string;
  token?: string | undefined;
  timeoutMs?: number;
  /** Keep connections open between calls (for long-lived tools). */
  keepAlive?: boolean;
}

export interface WriteOptions {
  idempotencyKey?: string | undefined;
}

export interface ListOptions {
  status?: AuctionStatus | 'all';
  limit?: number;
  cursor?: string | undefined;
}

export interface Response<T> {
  status: number;
  body: T;
  /** True when the daemon answered with the stored first answer to an Idempotency-Key. */
  replayed: boolean;
}

export class HttpClient {
  readonly baseUrl: URL;
  readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;

  constructor(options: ClientOptions) {
    try {
      this.baseUrl = new URL(options.url);
    } catch {
      throw nbError('INVALID_INPUT', { reason: 'notUrl', url: options.url });
    }
    if (this.baseUrl.protocol !== 'http:' && this.baseUrl.protocol !== 'https:') {
      throw nbError('INVALID_INPUT', { reason: 'urlScheme', url: options.url, schemes: 'http(s)' });
    }
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const Agent = this.baseUrl.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: options.keepAlive ?? false, maxSockets: 64 });
  }

  /** Sends one request; resolves with the parsed answer or rejects with an NbError. */
  async request<T>(method: string, path: string, body?: unknown, options: WriteOptions = {}): Promise<Response<T>> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.href.endsWith('/') ? this.baseUrl : `${this.baseUrl.href}/`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const mod = url.protocol === 'https:' ? https : http;

    const { status, text, replayed, retryAfter } = await new Promise<{ status: number; text: string; replayed: boolean; retryAfter: number }>(
      (resolve, reject) => {
        const req = mod.request(url, { method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              replayed: res.headers['idempotent-replayed'] === 'true',
              retryAfter: Number(res.headers['retry-after']),
            }),
          );
          res.on('error', (err) => reject(unreachable(this.baseUrl, err)));
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (err) => reject(unreachable(this.baseUrl, err)));
        req.end(payload);
      },
    );

    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw nbError('INTERNAL', { reason: 'notJson', status });
    }
    if (status >= 400) {
      const err = fromErrorBody(parsed);
      // Retry-After in seconds (a date form is never sent by the daemon).
      if (Number.isFinite(retryAfter) && retryAfter >= 0) err.retryAfterMs = retryAfter * 1000;
      throw err;
    }
    return { status, body: parsed as T, replayed };
  }

  private async call<T>(method: string, path: string, body?: unknown, options?: WriteOptions): Promise<T> {
    return (await this.request<T>(method, path, body, options)).body;
  }

  /** Health of the daemon and its database; a 503 health is returned, not thrown. */
  async health(): Promise<Health> {
    try {
      return await this.call<Health>('GET', '/v1/health');
    } catch (err) {
      if (err instanceof NbError && err.code !== 'UNREACHABLE') {
        return { ok: false, version: 'unknown', database: 'down', daemonId: 'unknown' };
      }
      throw err;
    }
  }

  createUser(name: string, balance?: number, options?: WriteOptions): Promise<CreatedUser> {
    return this.call('POST', '/v1/users', balance === undefined ? { name } : { name, balance }, options);
  }

  deposit(userId: number, amount: number, options?: WriteOptions): Promise<Balance> {
    return this.call('POST', `/v1/users/${userId}/deposits`, { amount }, options);
  }

  rotateToken(userId: number): Promise<{ id: number; name: string; token: string }> {
    return this.call('POST', `/v1/users/${userId}/token`, {});
  }

  /** A user's public id and name (no token needed). */
  user(userId: number): Promise<UserName> {
    return this.call('GET', `/v1/users/${userId}`);
  }

  /** The names of up to 200 users in one request; ids with no user are left out of the answer. */
  async users(userIds: readonly number[]): Promise<UserList> {
    if (userIds.length === 0) return { users: [] };
    return this.call('GET', `/v1/users?ids=${userIds.join(',')}`);
  }

  me(): Promise<Me> {
    return this.call('GET', '/v1/me');
  }

  /** The user's private events after `after` (0: from the oldest kept), oldest first. */
  inbox(after = 0, limit?: number): Promise<InboxPage> {
    const q = new URLSearchParams({ after: String(after) });
    if (limit !== undefined) q.set('limit', String(limit));
    return this.call('GET', `/v1/me/events?${q.toString()}`);
  }

  whoami(): Promise<{ kind: 'admin' } | { kind: 'user'; id: number; name: string }> {
    return this.call('GET', '/v1/whoami');
  }

  createAuction(body: CreateAuctionBody, options?: WriteOptions): Promise<Auction> {
    return this.call('POST', '/v1/auctions', body, options);
  }

  listAuctions(options: ListOptions = {}): Promise<AuctionList> {
    const q = new URLSearchParams();
    if (options.status) q.set('status', options.status);
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    if (options.cursor) q.set('cursor', options.cursor);
    const qs = q.toString();
    return this.call('GET', `/v1/auctions${qs ? `?${qs}` : ''}`);
  }

  auction(id: number): Promise<AuctionDetail> {
    return this.call('GET', `/v1/auctions/${id}`);
  }

  /** A plain bid: a visible bid of exactly `amount`. */
  bid(auctionId: number, amount: number, options?: WriteOptions): Promise<BidResult> {
    return this.call('POST', `/v1/auctions/${auctionId}/bids`, { amount }, options);
  }

  /** A maximum bid: hidden; the auction bids for you, one increment at a time, up to `max`. */
  bidMax(auctionId: number, max: number, options?: WriteOptions): Promise<BidResult> {
    return this.call('POST', `/v1/auctions/${auctionId}/bids`, { max }, options);
  }

  /** The auctions the caller has bid on, newest first, with their own maximum and whether they lead. */
  myBids(options: { status?: 'open' | 'all'; limit?: number } = {}): Promise<MyBids> {
    const q = new URLSearchParams();
    if (options.status) q.set('status', options.status);
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    const qs = q.toString();
    return this.call('GET', `/v1/me/bids${qs ? `?${qs}` : ''}`);
  }

  buy(auctionId: number, options?: WriteOptions): Promise<{ auction: Auction }> {
    return this.call('POST', `/v1/auctions/${auctionId}/buy`, {}, options);
  }

  cancel(auctionId: number, options?: WriteOptions): Promise<{ auction: Auction }> {
    return this.call('POST', `/v1/auctions/${auctionId}/cancel`, {}, options);
  }

  audit(): Promise<AuditReport> {
    return this.call('GET', '/v1/audit');
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function unreachable(base: URL, err: Error): NbError {
  return nbError('UNREACHABLE', { origin: base.origin, problem: err.message });
}
