// Coalesces reads: every load() made while a query is in flight joins the next
// query, so a thousand sockets subscribing at once cost a handful of queries,
// not a thousand, and never more than one query in flight per loader.

export class BatchLoader<K, V> {
  private queue = new Map<K, { resolve: (v: V) => void; reject: (e: unknown) => void }[]>();
  private running = false;

  /** `run` answers a batch of keys at once; a key missing from its map resolves to `missing`. */
  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: V,
    private readonly maxBatch = 1000,
  ) {}

  /** Resolves with the value for one key, read together with the other keys waiting now. */
  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiting = this.queue.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.queue.set(key, [{ resolve, reject }]);
      if (!this.running) {
        this.running = true;
        // Let the rest of this turn (e.g. one subscribe frame's 20 auctions) join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size > 0) {
        const batch = [...this.queue.entries()].slice(0, this.maxBatch);
        for (const [key] of batch) this.queue.delete(key);
        try {
          const values = await this.run(batch.map(([key]) => key));
          for (const [key, waiters] of batch) {
            const v = values.has(key) ? values.get(key)! : this.missing;
            for (const w of waiters) w.resolve(v);
          }
        } catch (err) {
          for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
