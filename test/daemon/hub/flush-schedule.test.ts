// The flush schedule alone, on a fake clock: when each socket is written. What
// the sockets carry and that the daemon's sockets follow it are proved with
// real sockets in flush-window.test.ts and coalesced-writes.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUSY_FRAMES, FlushSchedule, lightWindowMs, type Flushable } from '../../../src/daemon/hub/flush-schedule.js';

/** A busy socket's window, and a light one's (two thirds of it). */
const WINDOW = 30;
const LIGHT = lightWindowMs(WINDOW);
/** The schedule's tick: a socket may be written this much early. */
const TICK = LIGHT / 10;

/** A socket that records when it was written; `frame()` queues one frame as a connection does. */
class FakeSocket implements Flushable {
  lastWrite = -Infinity;
  lastWriteFrames = 0;
  readonly writes: number[] = [];
  private pending = 0;

  constructor(private readonly schedule: FlushSchedule<FakeSocket>) {}

  frame(): void {
    if (++this.pending === 1) this.schedule.waiting(this);
  }

  urgentFrame(): void {
    this.frame();
    this.schedule.atEndOfTurn(this);
  }

  flush(now: number): boolean {
    if (this.pending === 0) return false;
    this.lastWriteFrames = this.pending;
    this.pending = 0;
    this.lastWrite = now;
    this.writes.push(now);
    return true;
  }
}

let passes: number[];
let schedule: FlushSchedule<FakeSocket>;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'], now: 0 });
  passes = [];
  schedule = new FlushSchedule<FakeSocket>(WINDOW, (writes) => passes.push(writes));
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs the end of the current turn (setImmediate) without moving the clock. */
const endOfTurn = () => vi.advanceTimersByTime(0);

describe('the flush schedule', () => {
  it('writes a socket idle for a window at the end of the turn', () => {
    const s = new FakeSocket(schedule);
    vi.advanceTimersByTime(5);
    s.frame();
    expect(s.writes).toEqual([]);
    endOfTurn();
    expect(s.writes).toEqual([5]);
  });

  it('writes a busy socket once per window counted from its own last write, with every frame of the window', () => {
    const s = new FakeSocket(schedule);
    s.frame();
    endOfTurn(); // written at 0
    vi.advanceTimersByTime(3);
    s.frame();
    vi.advanceTimersByTime(10);
    s.frame(); // a second frame joins the first; no second entry
    vi.advanceTimersByTime(5);
    expect(s.writes).toEqual([0]);
    vi.advanceTimersByTime(LIGHT);
    expect(s.writes).toHaveLength(2);
    // Due at 20 (a light socket's window): up to one tick (2 ms) early, never late by more than the timer's millisecond.
    expect(s.writes[1]).toBeGreaterThanOrEqual(LIGHT - TICK);
    expect(s.writes[1]).toBeLessThanOrEqual(LIGHT + 1);
  });

  it('writes sockets on their own windows, not all in one pass', () => {
    const a = new FakeSocket(schedule);
    const b = new FakeSocket(schedule);
    a.frame();
    endOfTurn(); // a written at 0
    vi.advanceTimersByTime(10);
    b.frame();
    endOfTurn(); // b written at 10
    a.frame();
    b.frame();
    vi.advanceTimersByTime(40);
    expect(a.writes[1]).toBeLessThanOrEqual(LIGHT + 1);
    expect(b.writes[1]).toBeGreaterThanOrEqual(10 + LIGHT - TICK);
    expect(b.writes[1]! - a.writes[1]!).toBeGreaterThanOrEqual(10 - TICK);
    expect(passes.filter((n) => n > 0).every((n) => n === 1)).toBe(true);
  });

  it('writes a frame the client waits for at the end of the turn, and the window then counts from that write', () => {
    const s = new FakeSocket(schedule);
    s.frame();
    endOfTurn(); // written at 0
    vi.advanceTimersByTime(4);
    s.frame(); // waits for 20
    vi.advanceTimersByTime(2);
    s.urgentFrame(); // a reply at 6 takes it along
    endOfTurn();
    expect(s.writes).toEqual([0, 6]);
    vi.advanceTimersByTime(1);
    s.frame(); // new frame at 7: its window closes at 26, and the tick at 20 must not write it
    vi.advanceTimersByTime(15);
    expect(s.writes).toEqual([0, 6]);
    vi.advanceTimersByTime(10);
    expect(s.writes).toHaveLength(3);
    expect(s.writes[2]).toBeGreaterThanOrEqual(6 + LIGHT - TICK);
  });

  it('makes a socket whose last write carried several frames wait the whole window, and a light one two thirds of it', () => {
    expect(LIGHT).toBe(20);
    const s = new FakeSocket(schedule);
    for (let i = 0; i < BUSY_FRAMES; i++) s.frame();
    endOfTurn(); // a busy write at 0
    vi.advanceTimersByTime(5);
    s.frame();
    vi.advanceTimersByTime(LIGHT + 1 - 5); // past a light socket's window
    expect(s.writes).toEqual([0]);
    vi.advanceTimersByTime(WINDOW - LIGHT);
    expect(s.writes).toHaveLength(2);
    expect(s.writes[1]).toBeGreaterThanOrEqual(WINDOW - TICK);
    expect(s.writes[1]).toBeLessThanOrEqual(WINDOW + 1);
    // That write carried one frame: the socket is light again.
    const busyAt = s.writes[1]!;
    s.frame();
    vi.advanceTimersByTime(LIGHT + 1);
    expect(s.writes).toHaveLength(3);
    expect(s.writes[2]! - busyAt).toBeGreaterThanOrEqual(LIGHT - TICK);
    expect(s.writes[2]! - busyAt).toBeLessThanOrEqual(LIGHT + 1);
  });

  it('with a window of 0 writes every socket at the end of each turn', () => {
    const zero = new FlushSchedule<FakeSocket>(0, () => {});
    const s = new FakeSocket(zero);
    s.frame();
    endOfTurn();
    s.frame();
    endOfTurn();
    expect(s.writes).toEqual([0, 0]);
  });
});
