// When each socket is written. Every socket has a flush window of its own: it
// is written at most once per window, counted from its own last write, so the
// sockets' writes spread over the window instead of all falling in one pass.
// One pass over a thousand sockets is several milliseconds of back-to-back
// sends, in which nothing else runs in the daemon, and a burst that the
// watching machines then take as long to read; spread out, each pass is a
// fraction of it (docs/design.md, "The flush window"). A socket idle for a
// window is written at the end of the turn, so a quiet daemon adds no wait,
// and a frame its client waits for (a reply, a pong) always goes at the end of
// the turn, taking the waiting events along.
//
// The window pays only where it saves writes: a socket that gets an event now
// and then has a write per event whatever the window, and waiting only delays
// it. So a light socket — its last write carried fewer than BUSY_FRAMES
// frames — waits two thirds of the window, and a busy one the whole window,
// where each millisecond of waiting puts more events in each write
// (docs/design.md, "The flush window").

/** A socket as the schedule sees it. */
export interface Flushable {
  /** performance.now() of its last write; -Infinity before the first. */
  lastWrite: number;
  /** How many frames its last write carried (0 before the first). */
  lastWriteFrames: number;
  /** Writes what is waiting, stamping lastWrite with `now`; false when nothing was. */
  flush(now: number): boolean;
}

/** Windows are kept in this many ticks: a socket is written up to one tick early. */
const TICKS_PER_WINDOW = 10;

/** A write of this many frames or more marks its socket busy: its next write waits the whole window. */
export const BUSY_FRAMES = 3;

/** A light socket's window: two thirds of a busy one's, in whole milliseconds. */
export function lightWindowMs(windowMs: number): number {
  return Math.round((windowMs * 2) / 3);
}

export class FlushSchedule<S extends Flushable> {
  /** Sockets to write at the end of this turn. */
  private endOfTurn: S[] = [];
  /** Sockets whose window is still open, by the tick at which it closes. */
  private readonly due = new Map<number, S[]>();
  private readonly tickMs: number;
  private readonly lightMs: number;
  private timer: NodeJS.Timeout | undefined;
  /** The tick the timer is set for (Infinity: none). */
  private timerTick = Infinity;

  constructor(
    private readonly windowMs: number,
    /** Told how many sockets each pass wrote. */
    private readonly wrote: (writes: number) => void,
  ) {
    this.lightMs = lightWindowMs(windowMs);
    this.tickMs = Math.max(1, this.lightMs / TICKS_PER_WINDOW);
  }

  /** The window `socket` waits since its last write: the whole one when that write was busy. */
  private windowOf(socket: S): number {
    return socket.lastWriteFrames >= BUSY_FRAMES ? this.windowMs : this.lightMs;
  }

  /** `socket` has its first frame since its last write: written when its window closes. */
  waiting(socket: S): void {
    const closes = socket.lastWrite + this.windowOf(socket);
    if (closes <= performance.now()) {
      this.atEndOfTurn(socket);
      return;
    }
    const tick = Math.ceil(closes / this.tickMs);
    const list = this.due.get(tick);
    if (list) list.push(socket);
    else this.due.set(tick, [socket]);
    if (tick < this.timerTick) this.arm(tick);
  }

  /** `socket` has a frame its client waits for: written at the end of this turn, window or not. */
  atEndOfTurn(socket: S): void {
    if (this.endOfTurn.push(socket) === 1) setImmediate(this.flushEndOfTurn);
  }

  private arm(tick: number): void {
    clearTimeout(this.timer);
    this.timerTick = tick;
    // An open socket keeps the process alive, not its next write.
    this.timer = setTimeout(this.flushDue, Math.max(0, tick * this.tickMs - performance.now())).unref();
  }

  private readonly flushEndOfTurn = (): void => {
    const sockets = this.endOfTurn;
    this.endOfTurn = [];
    const now = performance.now();
    let writes = 0;
    for (const s of sockets) if (s.flush(now)) writes++;
    this.wrote(writes);
  };

  private readonly flushDue = (): void => {
    this.timer = undefined;
    this.timerTick = Infinity;
    const now = performance.now();
    // Timers fire on whole milliseconds: a tick that closes within half a tick counts as closed.
    const last = Math.floor((now + this.tickMs / 2) / this.tickMs);
    let writes = 0;
    let next = Infinity;
    for (const [tick, sockets] of this.due) {
      if (tick > last) {
        if (tick < next) next = tick;
        continue;
      }
      this.due.delete(tick);
      for (const s of sockets) {
        // Written since (a reply went out): its new frames are in a later tick already.
        if (now - s.lastWrite < this.windowOf(s) - this.tickMs) continue;
        if (s.flush(now)) writes++;
      }
    }
    this.wrote(writes);
    if (next !== Infinity) this.arm(next);
  };
}
