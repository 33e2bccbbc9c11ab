// One pass over a text payload from the daemon, as a watcher takes it: a
// batch frame is unrolled and each flat event frame in it (or alone) is read
// where it lies (event-fields.ts), its end found with its fields; any other
// frame — a snapshot, a reply, an error, or an event the reader declines — is
// cut out by counting its brackets outside strings and handed over to be
// parsed in full. Nothing is copied or allocated for an event frame.
import { newEventFields, readEvent, type EventFields } from './event-fields.js';
import { BATCH_OPENING } from '../../src/protocol/frames.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.js';

export interface FrameSink {
  /** An event frame, read into `f` (reused: use it before returning); its JSON is buf[start, end). */
  event(f: EventFields, buf: Buffer, start: number, end: number): void;
  /** Any other frame (a view into the read buffer: use it before returning), to be parsed in full. */
  other(frame: Buffer): void;
}

const BATCH_OPEN = Buffer.from(BATCH_OPENING);

/** Where the JSON value starting at `start` ends (the index after its last bracket), brackets counted outside strings; -1 if not before `end`. */
function scanFrame(buf: Buffer, start: number, end: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  return -1;
}

/** True when buf[start, end) is a batch frame (compared here: a call into Buffer.compare costs more than the bytes). */
export function isBatch(buf: Buffer, start: number, end: number): boolean {
  if (end - start < BATCH_OPEN.length) return false;
  for (let i = 0; i < BATCH_OPEN.length; i++) if (buf[start + i] !== BATCH_OPEN[i]) return false;
  return true;
}

export class FrameReader {
  private readonly fields = newEventFields();

  constructor(private readonly sink: FrameSink) {}

  /** One frame's JSON, buf[start, end). */
  one(buf: Buffer, start: number, end: number): void {
    if (buf[start] === OPEN_BRACE && readEvent(buf, start, end, this.fields) === end) this.sink.event(this.fields, buf, start, end);
    else this.sink.other(buf.subarray(start, end));
  }

  /** Every frame of the batch frame buf[start, end) (isBatch), in order. */
  batch(buf: Buffer, start: number, end: number): void {
    let at = start + BATCH_OPEN.length;
    while (at < end && buf[at] === OPEN_BRACE) {
      let next = readEvent(buf, at, end, this.fields);
      // An event is followed by the next frame or the end of the list.
      if (next > 0 && (buf[next] === COMMA || buf[next] === CLOSE_BRACKET)) this.sink.event(this.fields, buf, at, next);
      else {
        next = scanFrame(buf, at, end);
        if (next < 0) break;
        this.sink.other(buf.subarray(at, next));
      }
      at = buf[next] === COMMA ? next + 1 : next;
    }
    // What is left is `]}`, unless the batch is malformed: then it goes to be parsed, and fails there.
    if (!(at + 2 === end && buf[at] === CLOSE_BRACKET && buf[at + 1] === CLOSE_BRACE)) this.sink.other(buf.subarray(at, end));
  }
}
