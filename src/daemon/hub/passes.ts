// The worker of a channel or an inbox feed: passes run one at a time until one
// says there is nothing left; a pass that fails (the database away or
// restarting) is retried after a backoff, and the loop is bounded. The worker
// starts when its owner has work and someone to serve, starts again when work
// came in while it ran, and tells the owner once it has no one left to serve.

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;
const MAX_PASSES = 100_000;

export interface PassOptions {
  stopped(): boolean;
  /** A pass failed; it is tried again after a wait. */
  failed(err: unknown): void;
}

/** Runs `pass` until it resolves false or the hub stops, waiting 100 ms doubling to 2 s after each failure. */
export async function runPasses(pass: () => Promise<boolean>, o: PassOptions): Promise<void> {
  let delay = RETRY_MIN_MS;
  for (let i = 0; i < MAX_PASSES && !o.stopped(); i++) {
    try {
      if (!(await pass())) return;
      delay = RETRY_MIN_MS;
    } catch (err) {
      o.failed(err);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(RETRY_MAX_MS, delay * 2);
    }
  }
}

/** What a worker's owner (a channel, an inbox feed) is: someone serves its sockets. */
export interface WorkerOwner {
  /** Sockets served or waiting to join. */
  readonly subscribers: number;
}

/** What the hub gives an owner. */
export interface WorkerEnv<O extends WorkerOwner> {
  stopped(): boolean;
  /** The owner has no subscribers and no pass running: the hub may forget it. */
  idle(owner: O): void;
}

/** The owner's own work. */
export interface WorkerJob {
  /** True when a pass is needed; it may first do what needs none (a channel sends the events it holds). */
  needed(): boolean;
  /** One pass; false when there was nothing to do. */
  pass(): Promise<boolean>;
  /** A pass failed; it is tried again after a wait. */
  failed(err: unknown): void;
}

/** Runs an owner's passes one at a time, and only while someone is served. */
export class Worker<O extends WorkerOwner> {
  private working = false;

  constructor(
    private readonly owner: O,
    private readonly env: WorkerEnv<O>,
    private readonly job: WorkerJob,
  ) {}

  /** Starts the passes unless they are running or nothing needs them. */
  kick(): void {
    if (this.working) return;
    // Nobody to serve: a known gap (a hint, or news) must not start a worker that finds no
    // one and, its gap still open, kicks again, for ever, without a timer between.
    if (this.owner.subscribers === 0) return this.maybeIdle();
    if (!this.job.needed()) return;
    this.working = true;
    const pass = async () => this.owner.subscribers > 0 && this.job.pass();
    void runPasses(pass, { stopped: () => this.env.stopped(), failed: (err) => this.job.failed(err) }).finally(() => {
      this.working = false;
      // Work that came in during the last pass, or the owner is idle now.
      this.kick();
    });
  }

  /** Tells the hub the owner is idle if no pass runs and no one is served. */
  maybeIdle(): void {
    if (!this.working && this.owner.subscribers === 0) this.env.idle(this.owner);
  }
}
