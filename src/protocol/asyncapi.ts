// The AsyncAPI 3.0 document of the WebSocket at /v1/ws, made from the zod
// schemas of its frames (client frames in frames.ts, the daemon's in
// server-frames.ts) and written to docs/asyncapi.json by `npm run openapi`.
import type { z } from 'zod';
import { frameExamples } from './api-examples.js';
import { CloseCode } from './errors.js';
import { BATCH_PARAM, bidFrame, inboxFrame, pingFrame, subscribeFrame, unsubscribeFrame, WS_PATH } from './frames.js';
import { componentSchemas, type Json } from './json-schema.js';
import { batchMessage, serverFrames } from './server-frames.js';

// The client's `inbox` op is named apart from the daemon's `inbox` answer, and
// its `bid` op (`placeBid`) apart from the daemon's `bid` event.
const clientFrames = { subscribe: subscribeFrame, unsubscribe: unsubscribeFrame, inboxOp: inboxFrame, ping: pingFrame, placeBid: bidFrame } as const;

/** The op of each client message. */
export const clientOps: Record<keyof typeof clientFrames, string> = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  inboxOp: 'inbox',
  ping: 'ping',
  placeBid: 'bid',
};

/** Messages that are not one frame: the batch. */
const serverMessages = { ...serverFrames, batch: batchMessage } as const;

const summaries: Record<keyof typeof clientFrames | keyof typeof serverMessages, string> = {
  subscribe: 'Watch auctions: a snapshot of each (or the events after `after[id]`), then every event.',
  unsubscribe: 'Stop watching auctions.',
  ping: 'Answered by pong.',
  placeBid: 'Bid (op "bid"): answered by a reply with its ref, carrying what POST /v1/auctions/{id}/bids answers, after commit.',
  welcome: 'First frame on every socket: who you are and the socket limits.',
  subscribed: 'Answers a subscribe; the snapshots or replays follow.',
  unsubscribed: 'Answers an unsubscribe.',
  snapshot: 'An auction as GET /v1/auctions/{id} shows it (without recentBids), at `version`.',
  bid: "A committed bid row: typed by its bidder, or placed by the bidder's maximum (`automatic`).",
  extended: 'A bid in the soft-close window moved the end; follows that bid.',
  sold: 'Sold at the buy-now price.',
  closed: 'Ended: closed with a winner, or unsold.',
  cancelled: 'Cancelled by its seller or the admin.',
  outbid: 'Private: someone else took the lead (or a maximum answered your bid at once); your hold is released.',
  maxRaised: 'Private: your maximum answered a bid; you lead at `price`.',
  maxExhausted: 'Private: the price has reached your maximum.',
  balance: 'Private: your balance or holds changed.',
  inboxOp: 'The `inbox` op: resume your private events after a seq (GET /v1/me/events holds the same events).',
  won: 'Private: you won an auction.',
  lost: 'Private: an auction you bid on ended without you winning it (someone else won it, or it ended below its reserve).',
  sale: 'Private: your auction sold.',
  unsold: 'Private: your auction ended without a bid.',
  inbox: 'Answers the inbox op: the private events after `after` follow, once each and in order.',
  presence: 'How many are watching the auction over all daemons, when it changes (at most once a second); only with subscribe presence: true.',
  pong: 'Answers ping.',
  reply: 'Answers a bid frame (same ref): the status and body of the same bid over HTTP.',
  error: 'A frame the daemon could not act on; the socket stays open unless a close follows.',
  batch: 'Several frames of one turn in one message, to a socket that asked with ?batch=1.',
};

const frameName = (key: string) => `${key[0]!.toUpperCase()}${key.slice(1)}Frame`;
const messageRef = (key: string) => ({ $ref: `#/channels/socket/messages/${key}` });

/** The whole document for a daemon of this version. */
export function asyncApiDocument(version: string): Json {
  const all = { ...clientFrames, ...serverMessages };
  const messages = Object.fromEntries(
    Object.keys(all).map((key) => [
      key,
      {
        name: key,
        title: key,
        summary: summaries[key as keyof typeof summaries],
        payload: { $ref: `#/components/schemas/${frameName(key)}` },
        examples: [{ name: key, payload: frameExamples[key as keyof typeof frameExamples] }],
      },
    ]),
  );
  const named = (frames: Record<string, z.ZodType>) => new Map(Object.entries(frames).map(([k, s]) => [s, frameName(k)]));
  const op = (action: 'send' | 'receive', title: string, keys: string[]) => ({
    action,
    channel: { $ref: '#/channels/socket' },
    title,
    messages: keys.map(messageRef),
  });
  const closeCodes = Object.entries(CloseCode)
    .map(([name, code]) => `${code} (${name})`)
    .join(', ');
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'neighborbid events',
      version,
      description:
        'One WebSocket carries any number of auctions: one JSON object per text frame. Per auction, events come in ' +
        'version order, each once, only after their transaction committed; versions are gapless. Resume with ' +
        '`after` on subscribe. A socket opened with ?batch=1 gets the frames of one turn in one batch message. ' +
        'A user socket may bid (op "bid"); each bid is answered by a reply. See docs/protocol.md for the guarantees and limits.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:7700',
        protocol: 'ws',
        description: 'A daemon on its default address.',
        security: [{ $ref: '#/components/securitySchemes/bearer' }],
      },
    },
    channels: {
      socket: {
        address: WS_PATH,
        title: 'The event WebSocket',
        description:
          'Upgrade GET /v1/ws. A token is optional (Authorization: Bearer, or ?token=); a user token also brings ' +
          `that user's private events. Close codes: ${closeCodes}.`,
        messages,
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                token: { type: 'string', description: 'A token, when the Authorization header cannot be set.' },
                [BATCH_PARAM]: { type: 'string', enum: ['1'], description: 'Ask for batch frames (several frames in one message).' },
              },
            },
          },
        },
      },
    },
    operations: {
      control: op('receive', 'Frames a client sends', Object.keys(clientFrames)),
      session: op('send', 'Answers and notices about the socket', ['welcome', 'subscribed', 'unsubscribed', 'inbox', 'pong', 'reply', 'error', 'batch']),
      auctionEvents: op('send', 'Public events of watched auctions', ['snapshot', 'bid', 'extended', 'sold', 'closed', 'cancelled']),
      privateEvents: op('send', "Private events of the token's user", ['outbid', 'maxRaised', 'maxExhausted', 'balance', 'won', 'lost', 'sale', 'unsold']),
      presence: op('send', 'How many watch each watched auction (subscribe with presence: true)', ['presence']),
    },
    components: {
      // JSON Schema draft 7: AsyncAPI's default schema format.
      schemas: { ...componentSchemas(named(clientFrames), 'input', 'draft-7'), ...componentSchemas(named(serverMessages), 'output', 'draft-7') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Optional: a user token brings private events.' },
      },
    },
  };
}
