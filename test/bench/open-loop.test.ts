// The open loop's scheduler and its accounting, on a hand-driven clock and
// connections that answer after a set time: latency counts from each bid's
// slot, not from when it was written, so a stall shows in every bid it delays
// (no coordinated omission); lateness, drops and connections are reported.
import { describe, expect, it } from 'vitest';
import type { BidConnection, Connect } from '../../bench/load-gen/http-bids.js';
import { LATE_MS, RateSchedule, runOpenLoop, type Clock } from '../../bench/load-gen/open-loop.js';

/** A clock that moves only when told, running its timers in time order. */
class ManualClock implements Clock {
  private t = 0;
  private timers: { ms: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  at(ms: number, fn: () => void): () => void {
    const timer = { ms: Math.max(ms, this.t), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Runs every timer due up to `until`, moving the time to each. */
  runUntil(until: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.ms - b.ms || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.ms > until) break;
      this.timers.shift();
      this.t = next.ms;
      next.fn();
    }
    this.t = until;
  }
}

/** Connections that each answer a bid (accepted) `serviceMs` after it is written; `opened` counts them. */
function serviceConnections(clock: ManualClock, serviceMs: number) {
  const counts = { opened: 0, written: [] as number[] };
  const connect: Connect = (ready) => {
    counts.opened++;
    const c: BidConnection = {
      send(_shot, answered) {
        counts.written.push(clock.now());
        clock.at(clock.now() + serviceMs, () => answered(null));
      },
      close() {},
    };
    ready(c);
  };
  return { connect, counts };
}

/**
 * One connection standing for `sockets` sockets that carries any number of bids
 * at once (as the bidders' WebSockets do), answering bid n (from 1) `serviceMs`
 * after its write — with its socket failed first when `lost(n)`.
 */
function multiplexedConnection(clock: ManualClock, sockets: number, serviceMs: number, lost = (_n: number) => false) {
  const counts = { opened: 0, closed: 0, written: [] as number[] };
  const c: BidConnection = {
    sockets,
    send(_shot, answered) {
      const n = counts.written.push(clock.now());
      clock.at(clock.now() + serviceMs, () => (lost(n) ? answered(null, true) : answered(null)));
    },
    close() {
      counts.closed++;
    },
  };
  const connect: Connect = (ready) => {
    counts.opened++;
    ready(c);
  };
  return { connect, counts };
}

const shot = () => ({ auction: 1, amount: 1, token: 't' });

describe('RateSchedule', () => {
  it('spreads rate × duration slots evenly from the start, capped by maxBids', () => {
    const s = new RateSchedule(200, 1000, 1000, 1_000_000);
    expect(s.total).toBe(200);
    expect([s.slot(0), s.slot(1), s.slot(199)]).toEqual([1000, 1005, 1995]);
    expect(new RateSchedule(200, 0, 1000, 50).total).toBe(50);
  });
});

describe('runOpenLoop', () => {
  it('counts a bid that waited for a busy connection from its slot, not from when it was written', async () => {
    const clock = new ManualClock();
    const { connect, counts } = serviceConnections(clock, 30);
    // 100 bids/s for 100 ms: a slot every 10 ms; one connection, each answer after 30 ms.
    const run = runOpenLoop({ rate: 100, durationMs: 100, maxBids: 1000, connections: 1, maxConnections: 1, drainMs: 1000, connect, next: shot, clock });
    clock.runUntil(5000);
    const r = await run;
    expect(r.slots).toBe(10);
    // Bid i is due at 10·i, written when the one before is answered (30·i) and answered at 30·(i+1).
    expect(counts.written).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
    expect(r.accepted).toBe(10);
    const fromSlot = r.latency.summary();
    expect(fromSlot.count).toBe(10);
    // (Histograms keep three significant digits: hence toBeCloseTo.)
    expect(fromSlot.p50Ms).toBeCloseTo(110, 0); // 30 + 20·4
    expect(fromSlot.maxMs).toBeCloseTo(210, 0); // 30 + 20·9
    // What a closed loop would have reported: every bid 30 ms.
    expect(r.fromWrite.summary().p50Ms).toBeCloseTo(30, 0);
    expect(r.fromWrite.summary().maxMs).toBeCloseTo(30, 0);
    expect(r.sendLag.summary().maxMs).toBeCloseTo(180, 0);
    expect(r.late).toBe(9);
    expect([r.dropped, r.unanswered, r.peakConnections]).toEqual([0, 0, 1]);
    // The run lasts from the first slot to the last answer.
    expect(r.elapsedMs).toBe(300);
  });

  it('opens connections as slots find them all busy, and then nothing waits', async () => {
    const clock = new ManualClock();
    const { connect, counts } = serviceConnections(clock, 30);
    const run = runOpenLoop({ rate: 100, durationMs: 100, maxBids: 1000, connections: 1, maxConnections: 8, drainMs: 1000, connect, next: shot, clock });
    clock.runUntil(5000);
    const r = await run;
    expect(counts.written).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(r.latency.summary().p50Ms).toBeCloseTo(30, 0);
    expect(r.latency.summary().maxMs).toBeCloseTo(30, 0);
    expect(r.late).toBe(0);
    expect(r.sendLag.summary().maxMs).toBeCloseTo(0, 0);
    // Three bids are in flight at once at most (one every 10 ms, 30 ms each).
    expect([counts.opened, r.peakConnections]).toEqual([3, 3]);
  });

  it('writes every bid at its slot on a connection that carries many at once (the bidders\' sockets), counting its sockets as connections', async () => {
    const clock = new ManualClock();
    // Five sockets behind one connection, each answer 30 ms after its write: three bids in flight at once.
    const { connect, counts } = multiplexedConnection(clock, 5, 30);
    const run = runOpenLoop({ rate: 100, durationMs: 100, maxBids: 1000, connections: 1, maxConnections: 1, drainMs: 1000, connect, next: shot, clock });
    clock.runUntil(5000);
    const r = await run;
    expect(counts.written).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect([r.accepted, r.late, r.dropped, r.unanswered]).toEqual([10, 0, 0, 0]);
    expect(r.latency.summary().maxMs).toBeCloseTo(30, 0);
    expect([counts.opened, r.peakConnections]).toEqual([1, 5]);
  });

  it('counts a bid lost with one socket of a multiplexed connection as a connection error, and goes on with the others', async () => {
    const clock = new ManualClock();
    // Bid 3's socket fails before its answer; the bids after it still go at their slots.
    const { connect, counts } = multiplexedConnection(clock, 2, 15, (n) => n === 3);
    const run = runOpenLoop({ rate: 100, durationMs: 100, maxBids: 1000, connections: 1, maxConnections: 1, drainMs: 1000, connect, next: shot, clock });
    clock.runUntil(5000);
    const r = await run;
    expect(counts.written).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect([r.sent, r.accepted, r.transportErrors, r.dropped, r.unanswered]).toEqual([10, 9, 1, 0, 0]);
    // Kept (not replaced) and closed once, at the end.
    expect([counts.opened, counts.closed]).toEqual([1, 1]);
  });

  it('drops the bids still waiting when the drain ends, and counts late ones by LATE_MS', async () => {
    const clock = new ManualClock();
    const { connect } = serviceConnections(clock, 100);
    // 100 bids/s for 100 ms with one connection answering in 100 ms: the last slot is at 90 ms, the drain ends at 190 ms.
    const run = runOpenLoop({ rate: 100, durationMs: 100, maxBids: 1000, connections: 1, maxConnections: 1, drainMs: 100, connect, next: shot, clock });
    clock.runUntil(5000);
    const r = await run;
    // Written at 0 and 100 (on time, 90 ms late); the one freed at 200 is past the drain: 8 dropped.
    expect([r.sent, r.accepted, r.dropped, r.unanswered]).toEqual([2, 2, 8, 0]);
    expect(r.late).toBe(1);
    expect(r.sendLag.summary().maxMs).toBeGreaterThan(LATE_MS);
  });
});
