// One client socket: reads its frames, keeps its subscriptions and guards its
// send buffer. A socket whose queued bytes would pass the limit is cut at once
// (close 4008, then terminated if even the close cannot get through), so a
// reader that stalls costs at most the limit in memory.
//
// Frames are coalesced: the first frame of an event-loop turn corks the TCP
// socket and the hub uncorks every corked socket once the turn's work is done
// (setImmediate), so all the frames a socket gets in one turn leave in one
// write. With 1,000 watchers of the same auctions, a write per frame made the
// kernel's writev most of the daemon's CPU; a busy daemon does more per turn,
// so its writes carry more frames — like group commit, without a timer.
import type { Duplex } from 'node:stream';
import WebSocket, { type RawData } from 'ws';
import { closeCodeOf, nbError, NbError } from '../../protocol/errors.js';
import { errorFrame, parseClientFrame, type ServerFrame, type SubscribeFrame } from '../../protocol/frames.js';
import type { Subscriber } from './channel.js';

/** What a connection asks of the hub. */
export interface ConnectionHost {
  readonly sendBufferBytes: number;
  subscribe(conn: Connection, frame: SubscribeFrame): void;
  unsubscribe(conn: Connection, auctions: number[]): void;
  removed(conn: Connection): void;
  sent(bytesQueued: number): void;
  rejected(err: NbError): void;
  slow(conn: Connection): void;
  /** The connection corked its socket; uncork it at the end of this turn. */
  corked(conn: Connection): void;
}

/** How long a slow consumer's close frame may take to get through before the socket is destroyed. */
const SLOW_CLOSE_GRACE_MS = 2000;

export class Connection implements Subscriber {
  /** Subscribed auctions, each with the number of the subscription that added it. */
  readonly subs = new Map<number, number>();
  /** False once a heartbeat went out unanswered. */
  alive = true;
  private generation = 0;
  private cut = false;
  private isCorked = false;

  constructor(
    readonly ws: WebSocket,
    readonly userId: number | null,
    private readonly host: ConnectionHost,
    /** The upgraded TCP socket under `ws`, corked while a turn's frames gather. */
    private readonly raw?: Duplex,
  ) {
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => {
      this.cut = true;
      host.removed(this);
    });
    // A broken socket ends in 'close'; the error itself says nothing to act on.
    ws.on('error', () => {});
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  get open(): boolean {
    return !this.cut && this.ws.readyState === WebSocket.OPEN;
  }

  /** Numbers a new subscription, so a late answer to an older one can be told apart. */
  nextGeneration(): number {
    return ++this.generation;
  }

  wants(auction: number, generation: number): boolean {
    return this.open && this.subs.get(auction) === generation;
  }

  send(frame: Buffer): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount + frame.length > this.host.sendBufferBytes) {
      this.slowConsumer();
      return false;
    }
    if (this.raw && !this.isCorked) {
      this.raw.cork();
      this.isCorked = true;
      this.host.corked(this);
    }
    this.ws.send(frame, { binary: false });
    this.host.sent(this.ws.bufferedAmount);
    return true;
  }

  /** Lets the frames gathered this turn go, in one write. */
  uncork(): void {
    if (!this.isCorked) return;
    this.isCorked = false;
    this.raw!.uncork();
  }

  sendFrame(frame: ServerFrame): boolean {
    return this.send(Buffer.from(JSON.stringify(frame)));
  }

  sendError(err: NbError): void {
    this.host.rejected(err);
    this.sendFrame(errorFrame(err));
  }

  /** Closes with the close code of an error code (1001 going away for SHUTTING_DOWN). */
  close(err: NbError): void {
    if (this.cut) return;
    this.cut = true;
    this.host.removed(this);
    this.ws.close(closeCodeOf(err.code) ?? 1011, err.code);
  }

  /** Drops the socket without a close handshake (a dead peer). */
  terminate(): void {
    this.cut = true;
    this.host.removed(this);
    this.ws.terminate();
  }

  private slowConsumer(): void {
    this.host.slow(this);
    this.close(nbError('SLOW_CONSUMER'));
    // The close frame waits behind the unread bytes; if they stay unread, cut the TCP connection.
    setTimeout(() => this.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  }

  private receive(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (!this.open) return;
    if (isBinary) {
      this.sendError(nbError('INVALID_INPUT', 'Frames must be text frames holding JSON.'));
      return;
    }
    let frame;
    try {
      frame = parseClientFrame((data as Buffer).toString('utf8'));
    } catch (err) {
      this.sendError(err instanceof NbError ? err : nbError('INVALID_INPUT', 'The frame could not be read.'));
      return;
    }
    switch (frame.op) {
      case 'ping':
        this.sendFrame({ type: 'pong' });
        break;
      case 'subscribe':
        this.host.subscribe(this, frame);
        break;
      case 'unsubscribe':
        this.host.unsubscribe(this, frame.auctions);
        break;
    }
  }
}
