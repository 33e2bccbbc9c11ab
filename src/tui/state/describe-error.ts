// Any failure of a bid, a buy or a load, as one sentence for the status line.
import { NbError } from '../../protocol/errors.js';

export function describeError(err: unknown): string {
  if (err instanceof NbError) {
    // The code's own sentence from the error table, made specific by its details (e.g. the minimum next bid).
    return err.message;
  }
  return `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
}
