// Bids at a fixed rate, the way wrk2 and k6's constant-arrival-rate fire: bid i
// has its slot at start + i/R whatever happened to the bids before it, and its
// latency is counted from that slot, not from when it was written. A bid whose
// slot comes while every connection is busy waits for one (a new connection is
// opened meanwhile, up to a cap), and that wait is in its latency: a stall in
// the daemon shows as the waits it causes instead of as fewer, faster bids (the
// coordinated omission of a closed loop). How late bids were written after
// their slots is reported beside. A connection that carries any number of bids
// at once (the bidders' WebSockets) is never busy: every bid is written at its
// slot.
import { Latency } from '../measure/histogram.js';
import type { BidConnection, BidShot, Connect } from './http-bids.js';
import { Tally, type BidLoadResult } from './tally.js';

/** A bid written more than this after its slot counts as late (a timer on a busy machine fires a millisecond or two late as a rule). */
export const LATE_MS = 5;

/** Time for the loop: performance.now and timers, or a test's hand-driven clock. */
export interface Clock {
  now(): number;
  /** Calls fn once at `ms` (on this clock) or soon after; returns what cancels it. */
  at(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  at: (ms, fn) => {
    const timer = setTimeout(fn, Math.max(0, ms - performance.now()));
    return () => clearTimeout(timer);
  },
};

/** The slots of a run: `total` bids, bid i due at start + i × 1000 / rate ms. */
export class RateSchedule {
  readonly total: number;

  constructor(
    readonly rate: number,
    readonly startMs: number,
    durationMs: number,
    maxBids: number,
  ) {
    this.total = Math.max(1, Math.min(maxBids, Math.floor((durationMs * rate) / 1000)));
  }

  /** When bid i is due. */
  slot(i: number): number {
    return this.startMs + (i * 1000) / this.rate;
  }
}

export interface OpenLoopOptions {
  /** Bids per second offered. */
  rate: number;
  durationMs: number;
  maxBids: number;
  /** Connections opened before the first slot. */
  connections: number;
  /** The most connections open at once; past it a due bid waits for a free one. */
  maxConnections: number;
  /**
   * How long after the last slot bids still waiting for a connection may be
   * written and answers awaited; what is still unwritten then is dropped, and
   * what is unanswered a further `drainMs` later is counted unanswered.
   */
  drainMs: number;
  connect: Connect;
  /** The next bid; called as it is written, so amounts rise in write order. */
  next(): BidShot;
  onTick?(answered: number, accepted: number, elapsedMs: number): void;
  clock?: Clock;
}

export interface OpenLoopResult extends BidLoadResult {
  /** The rate asked for, bids/s. */
  offeredPerSec: number;
  /** Bids scheduled: rate × duration (or maxBids). */
  slots: number;
  /** Latency from the moment each bid was written (what a closed loop reports), beside `latency`, which counts from its slot. */
  fromWrite: Latency;
  /** How long after its slot each bid was written. */
  sendLag: Latency;
  /** Bids written more than LATE_MS after their slot. */
  late: number;
  /** Bids never written: still waiting for a connection when the drain ended. */
  dropped: number;
  /** Bids written but not answered by the end. */
  unanswered: number;
  /** The most connections (or sockets) open at once. */
  peakConnections: number;
}

/** Fires `rate` bids a second for the duration; resolves when every bid is answered, dropped or given up on. */
export function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const clock = o.clock ?? realClock;
  return new Promise((resolve) => {
    const free: BidConnection[] = [];
    const all = new Set<BidConnection>();
    let opening = 0;
    let peak = 0;
    // Bids whose slot has come, waiting for a connection, oldest first.
    const waiting: number[] = [];
    let head = 0;
    let issued = 0;
    let inFlight = 0;
    let finished = false;
    const fromWrite = new Latency();
    const sendLag = new Latency();
    let late = 0;
    let dropped = 0;
    let schedule: RateSchedule;
    let tally: Tally;
    let drainEnds = Infinity;
    let lastAnswerAt: number | undefined;
    let cancelTimer = () => {};
    let failedToOpen = 0;
    // Connections open, counting each of a multiplexed connection's sockets.
    const width = () => {
      let n = 0;
      for (const c of all) n += c.sockets ?? 1;
      return n;
    };

    const open = () => {
      opening++;
      o.connect(
        (c) => {
          opening--;
          all.add(c);
          peak = Math.max(peak, width());
          idle(c);
        },
        () => {
          opening--;
          tally.transportErrors++;
          if (all.size + opening === 0 && head < waiting.length) open();
        },
      );
    };

    const write = (c: BidConnection, i: number) => {
      const slot = schedule.slot(i);
      const shot = o.next();
      const sentAt = clock.now();
      sendLag.record(sentAt - slot);
      if (sentAt - slot > LATE_MS) late++;
      tally.sent++;
      inFlight++;
      c.send(shot, (code, broken) => {
        inFlight--;
        if (broken) {
          tally.transportErrors++;
          // One of a multiplexed connection's sockets failed: the others go on.
          if (c.sockets === undefined) {
            all.delete(c);
            if (head < waiting.length && all.size + opening < o.maxConnections) open();
          }
        } else {
          const now = clock.now();
          lastAnswerAt = now;
          tally.answer(code, now - slot);
          fromWrite.record(now - sentAt);
          if (c.sockets === undefined) idle(c);
        }
        settle();
      });
      // A multiplexed connection takes the next bid at once.
      if (c.sockets !== undefined && !finished) free.push(c);
    };

    // A connection is free: the oldest waiting bid takes it, else it waits for the next slot.
    const idle = (c: BidConnection) => {
      if (finished) return c.close();
      if (head < waiting.length && clock.now() <= drainEnds) write(c, waiting[head++]!);
      else free.push(c);
    };

    const due = (i: number) => {
      const c = free.pop();
      if (c) return write(c, i);
      waiting.push(i);
      if (all.size + opening < o.maxConnections) open();
    };

    const tick = () => {
      const now = clock.now();
      while (issued < schedule.total && schedule.slot(issued) <= now) due(issued++);
      if (issued < schedule.total) cancelTimer = clock.at(schedule.slot(issued), tick);
      else {
        drainEnds = schedule.slot(schedule.total - 1) + o.drainMs;
        cancelTimer = clock.at(drainEnds, drain);
        settle();
      }
    };

    // The drain is over: what still waits is dropped; answers get one more drain to come.
    const drain = () => {
      dropped = waiting.length - head;
      head = waiting.length;
      settle();
      if (!finished) cancelTimer = clock.at(clock.now() + o.drainMs, finish);
    };

    const settle = () => {
      if (issued === schedule.total && head === waiting.length && inFlight === 0) finish();
    };

    const finish = () => {
      if (finished) return;
      finished = true;
      cancelTimer();
      for (const c of all) c.close();
      tally.transportErrors += failedToOpen;
      // The run ends with its last answer: waiting out the drain for a lost one is not time spent bidding.
      const r = tally.finish(lastAnswerAt ?? clock.now());
      resolve({
        ...r, offeredPerSec: o.rate, slots: schedule.total, fromWrite, sendLag, late, dropped, unanswered: inFlight, peakConnections: peak,
      });
    };

    // The first connections, then the first slot.
    let pending = Math.min(o.connections, o.maxConnections);
    const start = () => {
      schedule = new RateSchedule(o.rate, clock.now(), o.durationMs, o.maxBids);
      tally = new Tally({ durationMs: o.durationMs, maxBids: schedule.total, ...(o.onTick ? { onTick: o.onTick } : {}) }, () => clock.now());
      tick();
    };
    if (pending === 0) return start();
    const counted = () => {
      if (--pending === 0) start();
    };
    const failed = () => {
      failedToOpen++;
      counted();
    };
    for (let n = pending; n > 0; n--) {
      o.connect(
        (c) => {
          all.add(c);
          free.push(c);
          peak = width();
          counted();
        },
        failed,
      );
    }
  });
}
