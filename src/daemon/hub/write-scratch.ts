// The bytes a socket's coalesced write is assembled in. A write of several
// frames needs them in one buffer; a fresh buffer per write is tens of
// megabytes a second at a thousand sockets, all of it memory outside V8's heap
// that V8 answers with a full collection every few hundred milliseconds
// (docs/design.md, "One buffer for the writes"). Almost every write is taken
// whole by the kernel before `write` returns, so one buffer serves them all;
// a write the kernel could not take at once keeps its buffer (the stream
// holds a view of it), and the next write gets a new one.

/** Big enough for a busy socket's window of events; a larger write gets a buffer of its own. */
const SCRATCH_BYTES = 64 * 1024;

export class WriteScratch {
  private bytes = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

  /** `n` bytes for the next write: the start of the shared buffer when they fit. */
  readonly take = (n: number): Buffer => (n <= this.bytes.length ? this.bytes.subarray(0, n) : Buffer.allocUnsafe(n));

  /** `written` went to a stream that still queues it: if it is in the shared buffer, that one is the stream's now. */
  keep(written: Buffer): void {
    if (written.buffer === this.bytes.buffer) this.bytes = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  }
}
