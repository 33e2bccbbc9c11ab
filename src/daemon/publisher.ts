// The seam between committing and telling: rules hand their committed events to
// a Publisher only after the transaction that wrote them has committed.
import type { OutboxEvent } from './outcome.js';

export interface BalanceChange {
  userId: number;
  balance: number;
  held: number;
}

export interface Publisher {
  /** Committed auction events, in version order per auction. */
  publish(events: OutboxEvent[]): void;
  /** Committed balance changes that no auction event carries (deposits). */
  publishBalances(changes: BalanceChange[]): void;
}

/** A publisher that tells nobody; for tools that only need the rules. */
export const silentPublisher: Publisher = {
  publish: () => {},
  publishBalances: () => {},
};
