// Example requests, answers and frames for the API documents (OpenAPI, AsyncAPI): one
// small market, consistent across examples. Tests check each against its schema.
import type { AuctionEvent, BalanceEvent, MaxExhaustedEvent, MaxRaisedEvent, OutbidEvent } from './events.js';
import type { BatchFrame, BidFrame, ReplyFrame, SnapshotFrame, SubscribeFrame, WelcomeFrame } from './frames.js';
import { defaultSocketLimits } from './frames.js';
import type { Auction, AuctionDetail, AuditReport, Bid, BidResult, Health, MyBids } from './types.js';

const seller = { id: 7, name: 'maria' };
const bidder = { id: 9, name: 'jonas' };

export const exampleAuction: Auction = {
  id: 42,
  title: 'Brass desk lamp',
  sellerId: seller.id,
  status: 'open',
  startPrice: 1000,
  minIncrement: 50,
  increments: [{ from: 0, step: 50 }],
  hasReserve: true,
  reserveMet: false,
  buyNowPrice: 5000,
  buyNowUntil: 'price',
  buyNowAvailable: true,
  softCloseSec: 30,
  currentPrice: 1250,
  leaderId: bidder.id,
  bidCount: 3,
  minNextBid: 1300,
  endsAt: '2030-05-01T18:00:00.000Z',
  createdAt: '2030-05-01T17:00:00.000Z',
  version: 3,
  unsoldReason: null,
};

const newAuction: Auction = { ...exampleAuction, currentPrice: null, leaderId: null, bidCount: 0, minNextBid: 1000, version: 0 };

export const exampleBid: Bid = {
  id: 311, auctionId: 42, bidderId: bidder.id, amount: 1250, version: 3, at: '2030-05-01T17:41:09.120Z', automatic: true,
};

/** Bidder 11 bids 1,200 against jonas's maximum of 2,000: their row, then his maximum's automatic answer. */
const answeredBid: Bid = { id: 305, auctionId: 42, bidderId: 11, amount: 1200, version: 2, at: '2030-05-01T17:41:09.120Z', automatic: false };

const detail: AuctionDetail = { ...exampleAuction, recentBids: [exampleBid, answeredBid] };

/** Jonas raises his maximum from 2,000 to 2,400 (below the reserve of 2,500): no row, no new price; only he sees the maximum. */
const raisedMax: BidResult = { bid: null, bids: [], auction: exampleAuction, leading: true, yourMax: 2400 };

const myBids: MyBids = {
  bids: [{
    auctionId: 42, title: exampleAuction.title, status: 'open', currentPrice: 1250, minNextBid: 1300, reserveMet: false,
    endsAt: exampleAuction.endsAt, leading: true, yourMax: 2400,
  }],
};

const audit: AuditReport = {
  ok: true,
  violations: [],
  users: 3,
  auctions: 1,
  ledgerRows: 8,
  totalDeposits: 30000,
  totalBalances: 30000,
};

const health: Health = { ok: true, version: '0.1.0', database: 'up', daemonId: '5f3a9c1e' };

/** Requests (bodies, path and query values) and answers, by operation id. */
export const httpExamples = {
  createUser: { body: { name: 'jonas', balance: 10000 }, answer: { ...bidder, balance: 10000, token: 'nb_u9_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' } },
  deposit: { params: { id: '9' }, body: { amount: 2500 }, answer: { id: 9, balance: 12500, held: 1250, available: 11250 } },
  rotateToken: { params: { id: '9' }, body: {}, answer: { ...bidder, token: 'nb_u9_GFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210' } },
  getUser: { params: { id: '9' }, answer: bidder },
  getUsers: { query: { ids: '7,9' }, answer: { users: [seller, bidder] } },
  getMyEvents: {
    query: { after: '16', limit: '100' },
    answer: {
      events: [
        { type: 'outbid', auction: 42, version: 4, at: '2030-05-01T17:45:00.250Z', by: 'bid', price: 1300, leaderId: 11, released: 1250, seq: 17 },
        { type: 'balance', userId: 9, balance: 10000, held: 0, available: 10000, at: '2030-05-01T17:45:00.250Z', seq: 18 },
      ],
      next: 18,
      last: 18,
      truncated: false,
    },
  },
  getMe: { answer: { ...bidder, balance: 10000, held: 1250, available: 8750 } },
  whoami: { answer: { kind: 'user', ...bidder } },
  createAuction: {
    body: { title: 'Brass desk lamp', startPrice: 1_000, minIncrement: 50, durationSec: 3600, reservePrice: 2500, buyNowPrice: 5000, softCloseSec: 30 },
    answer: newAuction,
  },
  listAuctions: { query: { status: 'open', limit: '20' }, answer: { auctions: [exampleAuction], nextCursor: null } },
  getAuction: { params: { id: '42' }, answer: detail },
  // Jonas, leading with a maximum of 2,000, raises it: only his answer says so.
  placeBid: { params: { id: '42' }, body: { max: 2400 }, answer: raisedMax },
  myBids: { query: { status: 'open' }, answer: myBids },
  buyNow: {
    params: { id: '42' },
    body: {},
    answer: { auction: { ...exampleAuction, status: 'sold', currentPrice: 5000, bidCount: 3, minNextBid: null, version: 4 } },
  },
  cancelAuction: { params: { id: '42' }, body: {}, answer: { auction: { ...newAuction, status: 'cancelled', minNextBid: null, version: 1 } } },
  health: { answer: health },
  live: { answer: { ok: true } },
  ready: { answer: { ok: true } },
  audit: { answer: audit },
  metrics: {
    answer: [
      '# HELP nb_bids_total Bids answered, by result: accepted or the rejection code.',
      '# TYPE nb_bids_total counter',
      'nb_bids_total{result="accepted"} 1840',
      'nb_bids_total{result="BID_TOO_LOW"} 212',
      '',
    ].join('\n'),
  },
  openapi: { answer: { openapi: '3.1.1', info: { title: 'neighborbid', version: '0.1.0' }, paths: {} } },
  websocket: { query: { token: 'nb_u9_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' } },
} as const;

const snapshot: SnapshotFrame = { type: 'snapshot', auction: 42, version: 3, state: exampleAuction };

const bidEvent: AuctionEvent = {
  type: 'bid',
  auction: 42,
  version: 4,
  at: '2030-05-01T17:45:00.250Z',
  bidId: 320,
  bidderId: 11,
  amount: 1300,
  automatic: false,
  price: 1300,
  leaderId: 11,
  previousLeaderId: bidder.id,
  bidCount: 4,
  endsAt: '2030-05-01T18:00:00.000Z',
  minNextBid: 1350,
  reserveMet: false,
};

const outbid: OutbidEvent & { seq: number } = {
  type: 'outbid', auction: 42, version: 4, at: bidEvent.at, by: 'bid', price: 1300, leaderId: 11, released: 1250, seq: 17,
};
const maxRaised: MaxRaisedEvent & { seq: number } = { type: 'maxRaised', auction: 42, version: 3, at: exampleBid.at, price: 1250, max: 2000, seq: 15 };
const maxExhausted: MaxExhaustedEvent & { seq: number } = {
  type: 'maxExhausted', auction: 42, version: 6, at: '2030-05-01T17:52:00.000Z', max: 2400, seq: 19,
};
const balance: BalanceEvent & { seq: number } = { type: 'balance', userId: bidder.id, balance: 10000, held: 0, available: 10000, at: bidEvent.at, seq: 18 };
const welcome: WelcomeFrame = {
  type: 'welcome', daemonId: '5f3a9c1e', version: '0.1.0', userId: bidder.id, inbox: 16, limits: defaultSocketLimits, features: ['batch', 'bid'], batch: true,
};
const subscribe: SubscribeFrame = { op: 'subscribe', auctions: [42], after: { '42': 2 }, presence: true };
const placeBid: BidFrame = { op: 'bid', ref: 17, auction: 42, amount: 1300, key: 'jonas-42-1300' };
const myBid: Bid = { id: 320, auctionId: 42, bidderId: bidder.id, amount: 1300, version: 4, at: bidEvent.at, automatic: false };
const reply: ReplyFrame = {
  type: 'reply',
  ref: 17,
  status: 201,
  body: {
    bid: myBid,
    bids: [myBid],
    auction: { ...exampleAuction, currentPrice: 1300, bidCount: 4, minNextBid: 1350, version: 4 },
    leading: true,
    yourMax: null,
  },
};
const batch: BatchFrame = { type: 'batch', frames: [{ ...bidEvent, bidderId: bidder.id, leaderId: bidder.id, previousLeaderId: 11 }, reply] };

/** One example of each frame, by its `op` (client; `placeBid` for the op "bid") or `type` (daemon). */
export const frameExamples = {
  subscribe,
  unsubscribe: { op: 'unsubscribe', auctions: [42] },
  ping: { op: 'ping' },
  placeBid,
  welcome,
  subscribed: { type: 'subscribed', auctions: [42] },
  unsubscribed: { type: 'unsubscribed', auctions: [42] },
  snapshot,
  bid: bidEvent,
  extended: { type: 'extended', auction: 42, version: 5, at: '2030-05-01T17:59:45.010Z', endsAt: '2030-05-01T18:00:15.010Z', bidId: 321 },
  sold: {
    type: 'sold', auction: 42, version: 5, at: '2030-05-01T17:50:00.000Z', status: 'sold',
    buyerId: 12, price: 5000, leaderId: 12, previousLeaderId: 11, endsAt: '2030-05-01T17:50:00.000Z',
  },
  closed: {
    type: 'closed', auction: 42, version: 5, at: '2030-05-01T18:00:00.400Z', status: 'closed', winnerId: 11, price: 1300, reason: null,
    endsAt: '2030-05-01T18:00:00.000Z',
  },
  cancelled: { type: 'cancelled', auction: 42, version: 5, at: '2030-05-01T17:50:00.000Z', status: 'cancelled', previousLeaderId: 11, endsAt: '2030-05-01T17:50:00.000Z' },
  outbid,
  maxRaised,
  maxExhausted,
  balance,
  inboxOp: { op: 'inbox', after: 16 },
  won: { type: 'won', auction: 42, version: 6, at: '2030-05-01T18:00:00.400Z', price: 1300, seq: 19 },
  lost: { type: 'lost', auction: 43, version: 9, at: '2030-05-01T18:05:00.400Z', price: 2100, winnerId: 12, reason: null, seq: 20 },
  sale: { type: 'sale', auction: 44, version: 7, at: '2030-05-01T18:10:00.400Z', price: 800, buyerId: 12, seq: 21 },
  unsold: { type: 'unsold', auction: 45, version: 1, at: '2030-05-01T18:15:00.400Z', reason: 'no_bids', seq: 22 },
  inbox: { type: 'inbox', after: 16, truncated: false },
  presence: { type: 'presence', auction: 42, watching: 17 },
  pong: { type: 'pong' },
  reply,
  error: { type: 'error', code: 'NOT_FOUND', message: 'No auction 43.', auction: 43 },
  batch,
} as const;
