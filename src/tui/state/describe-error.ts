// Any failure of a bid, a buy or a load, as one sentence for the status line.
import { errorMessage, NbError } from '../../protocol/errors.js';

export function describeError(err: unknown): string {
  if (err instanceof NbError) {
    // The code's own sentence, made specific by its details (e.g. the minimum next bid).
    const sentence = err.code === 'UNREACHABLE' || err.code === 'INVALID_INPUT' ? err.message : errorMessage(err.code, err.details);
    return sentence;
  }
  return `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
}
