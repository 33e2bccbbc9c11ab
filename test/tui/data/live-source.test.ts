import { describe, expect, it } from 'vitest';
import type { AuctionMessage, SocketState } from '../../../src/client/socket-client.js';
import { HttpClient } from '../../../src/client/http-client.js';
import { nbError } from '../../../src/protocol/errors.js';
import type { PrivateEvent } from '../../../src/protocol/events.js';
import type { InboxEvent } from '../../../src/protocol/inbox.js';
import type { Auction } from '../../../src/protocol/types.js';
import { connectionOf, LiveBoardSource, type SocketLike } from '../../../src/tui/data/live-source.js';

describe('connectionOf', () => {
  it('calls a first connect "connecting" and any later attempt a reconnect with its number', () => {
    expect(connectionOf({ kind: 'connecting', attempt: 1 }, false)).toEqual({ kind: 'connecting' });
    expect(connectionOf({ kind: 'connecting', attempt: 1 }, true)).toEqual({ kind: 'reconnecting', attempt: 1 });
    const refused = nbError('TOO_MANY_CONNECTIONS', { reason: 'sockets', limit: 1 });
    expect(connectionOf({ kind: 'reconnecting', attempt: 3, delayMs: 500, reason: 'x', error: refused }, true)).toEqual({
      kind: 'reconnecting',
      attempt: 3,
      code: 'TOO_MANY_CONNECTIONS',
    });
    expect(connectionOf({ kind: 'live', daemonId: 'd', userId: 1 }, false)).toEqual({ kind: 'live' });
    expect(connectionOf({ kind: 'closed', reason: 'gone' }, true)).toEqual({ kind: 'closed', reason: 'gone' });
    const wrong = nbError('UNAUTHORIZED', { reason: 'invalid' });
    expect(connectionOf({ kind: 'closed', reason: wrong.message, error: wrong }, true)).toEqual({
      kind: 'closed',
      reason: 'The token is not valid.',
      code: 'UNAUTHORIZED',
    });
  });
});

describe('LiveBoardSource', () => {
  it('passes snapshots and events to the board, drops refused subscriptions, and unsubscribes', () => {
    const handlers = new Map<number, (m: AuctionMessage) => void>();
    let state: ((s: SocketState) => void) | undefined;
    let priv: ((e: InboxEvent) => void) | undefined;
    const unsubscribed: number[][] = [];
    const socket: SocketLike = {
      subscribe: async (ids, h) => void ids.forEach((id) => handlers.set(id, h)),
      unsubscribe: (ids) => void unsubscribed.push(ids),
      onState: (h) => ((state = h), () => (state = undefined)),
      onPrivate: (h) => ((priv = h), () => (priv = undefined)),
      close: async () => {},
      canBid: false,
      bid: () => Promise.reject(new Error('not used')),
    };
    const source = new LiveBoardSource(new HttpClient({ url: 'http://127.0.0.1:1', token: 'nb_u1_x' }), socket);
    const seen: string[] = [];
    source.start({
      snapshot: (a) => seen.push(`snapshot ${a.id}@${a.version}`),
      event: (e) => seen.push(`${e.type} ${e.auction}@${e.version}`),
      private: (e) => seen.push(`private ${e.type}`),
      connection: (c) => seen.push(`connection ${c.kind}`),
    });
    source.subscribe([7]);
    const state7 = { id: 7, version: 2 } as Auction;
    handlers.get(7)!({ type: 'snapshot', auction: 7, version: 2, state: state7 });
    handlers.get(7)!({ type: 'extended', auction: 7, version: 3, at: '', bidId: 1, endsAt: '' });
    handlers.get(7)!({ type: 'error', auction: 7, code: 'NOT_FOUND', message: 'gone' });
    state!({ kind: 'live', daemonId: 'd', userId: 1 });
    priv!({ type: 'balance', userId: 1, balance: 1, held: 0, available: 1, at: '', seq: 1 });
    source.unsubscribe([7]);
    expect(seen).toEqual(['snapshot 7@2', 'extended 7@3', 'connection live', 'private balance']);
    expect(unsubscribed).toEqual([[7]]);
    expect(source.hasUser).toBe(true);
    expect(source.address).toBe('127.0.0.1:1');
  });
});
