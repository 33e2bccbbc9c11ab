import { describe, expect, it } from 'vitest';
import { createBatcher, type Clock } from '../../../src/tui/state/batcher.js';

function fakeClock() {
  let t = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      timers.set(++seq, { at: t + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      timers.delete(next[0]);
      t = next[1].at;
      next[1].fn();
    }
    t = end;
  };
  return { clock, advance };
}

describe('createBatcher', () => {
  it('flushes the first change at once and coalesces a burst into one flush per interval', () => {
    const { clock, advance } = fakeClock();
    let flushes = 0;
    const b = createBatcher(() => flushes++, 80, clock);
    b.mark();
    advance(0);
    expect(flushes).toBe(1);
    for (let i = 0; i < 100; i++) {
      b.mark();
      advance(1);
    }
    // 100 ms of marks after a flush at t=0: flushes at 80 only, the rest waits for 160.
    expect(flushes).toBe(2);
    advance(100);
    expect(flushes).toBe(3);
    advance(1000);
    expect(flushes).toBe(3);
  });

  it('flushNow flushes pending changes immediately and stop drops them', () => {
    const { clock, advance } = fakeClock();
    let flushes = 0;
    const b = createBatcher(() => flushes++, 80, clock);
    b.mark();
    b.flushNow();
    expect(flushes).toBe(1);
    b.flushNow();
    expect(flushes).toBe(1);
    b.mark();
    b.stop();
    advance(500);
    expect(flushes).toBe(1);
  });
});
