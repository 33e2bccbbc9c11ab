// Bids over HTTP fired by autocannon (the load scenario's generator): C
// keep-alive connections, each request built just before it is written with
// the next bid of the stream (an auction, a bidder's token, a rising amount),
// for a time and at most a number of bids. Every answer's latency is kept
// (autocannon's own histogram keeps only the 2xx), and refusals by error code.
import autocannon from 'autocannon';
import { Tally, type BidLoadResult, type LoadLimits } from './tally.js';
import { errorCode, type BidShot } from './http-bids.js';

export interface CannonOptions extends LoadLimits {
  /** Daemon base URL (loopback). */
  url: string;
  connections: number;
  next(): BidShot;
}

/** Fires bids with autocannon until the time or the count is up; resolves when it has stopped. */
export function runCannon(o: CannonOptions): Promise<BidLoadResult> {
  const tally = new Tally(o);
  return new Promise((resolve, reject) => {
    let stopped = false;
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: Math.max(1, Math.ceil(o.durationMs / 1000)),
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest(request) {
              if (!tally.take() && !stopped) {
                stopped = true;
                setImmediate(() => instance.stop());
              }
              const shot = o.next();
              request.path = `/v1/auctions/${shot.auction}/bids`;
              request.headers = { 'content-type': 'application/json', authorization: `Bearer ${shot.token}` };
              request.body = shot.max ? `{"max":${shot.amount}}` : `{"amount":${shot.amount}}`;
              return request;
            },
            onResponse(status, body) {
              if (status !== 201) tally.refuse(errorCode(status, body));
            },
          },
        ],
      },
      (err) => {
        const result = tally.finish();
        if (err) reject(err);
        else resolve(result);
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      tally.latency.record(ms);
      tally.answered++;
      if (status === 201) tally.accept();
    });
    instance.on('reqError', () => tally.transportErrors++);
  });
}
