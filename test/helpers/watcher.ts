// A bare WebSocket watcher for tests that must see exactly what the daemon
// sends (no client-side dedupe or resync in between).
import WebSocket from 'ws';
import { framesOfMessage, isAuctionFrame, type ServerFrame, type ServerMessage } from '../../src/protocol/frames.js';

export interface Watcher {
  ws: WebSocket;
  /** Every frame received, batches unrolled, in order. */
  frames: ServerFrame[];
  /** Every WebSocket message as received (a batch is one). */
  messages: ServerMessage[];
  send(frame: unknown): void;
  /** Waits until `test` holds over the frames so far; fails after `ms`. */
  until(test: (frames: ServerFrame[]) => boolean, ms?: number, what?: string): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export async function openWatcher(baseUrl: string, options: { token?: string; autoPong?: boolean; batch?: boolean } = {}): Promise<Watcher> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/v1/ws${options.batch ? '?batch=1' : ''}`;
  const ws = new WebSocket(url, {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    autoPong: options.autoPong ?? true,
    maxPayload: 16 * 1024 * 1024,
  });
  const frames: ServerFrame[] = [];
  const messages: ServerMessage[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data) => {
    const message = JSON.parse((data as Buffer).toString('utf8')) as ServerMessage;
    messages.push(message);
    frames.push(...framesOfMessage(message));
    for (const l of listeners) l();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on('close', (code, reason) => {
      r({ code, reason: reason.toString() });
      for (const l of listeners) l();
    }),
  );
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  const w: Watcher = {
    ws,
    frames,
    messages,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    until(test, ms = 30_000, what = 'frames') {
      if (test(frames)) return Promise.resolve();
      return new Promise((ok, fail) => {
        const check = () => {
          if (test(frames)) {
            listeners.delete(check);
            clearTimeout(timer);
            ok();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`timed out waiting for ${what}; got ${frames.length} frames: ${JSON.stringify(frames.slice(-5))}`));
        }, ms);
        listeners.add(check);
      });
    },
    closed,
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      ws.terminate();
    },
  };
  await w.until((f) => f.some((x) => x.type === 'welcome'), 10_000, 'welcome');
  return w;
}

/** Public event frames (and snapshots) of one auction, in arrival order. */
export function framesOf(frames: ServerFrame[], auction: number): ServerFrame[] {
  return frames.filter((f) => isAuctionFrame(f) && f.auction === auction);
}

/** An upgrade the daemon refuses: its HTTP status, headers and JSON body (undefined when not JSON); fails if accepted. */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        ws.terminate();
      });
    });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
  });
}
