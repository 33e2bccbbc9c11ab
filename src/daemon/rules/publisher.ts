// The seam between committing and telling: rules hand their committed events to
// a Publisher only after the transaction that wrote them has committed.
import type { OutboxEvent } from './outcome.js';

export interface BalanceChange {
  userId: number;
  balance: number;
  held: number;
}

export interface Publisher {
  /** Committed auction events, in version order per auction; the users their private parts name are told too. */
  publish(events: OutboxEvent[]): void;
  /** Committed balance changes that no auction event carries (deposits). */
  publishBalances(changes: BalanceChange[]): void;
  /** Users whose inboxes a committed transaction wrote to, where no auction event names them. */
  publishInbox(users: number[]): void;
}

/** A publisher that tells nobody; for tools that only need the rules. */
export const silentPublisher: Publisher = {
  publish: () => {},
  publishBalances: () => {},
  publishInbox: () => {},
};

/**
 * Wraps a publisher so that a failure to tell can never turn a committed
 * change into a failed answer: the change is in the outbox, and watchers catch
 * up from there, so the error is logged and the caller goes on.
 */
export function neverThrowing(publisher: Publisher, onError: (err: unknown) => void): Publisher {
  return {
    publish(events) {
      try {
        publisher.publish(events);
      } catch (err) {
        onError(err);
      }
    },
    publishBalances(changes) {
      try {
        publisher.publishBalances(changes);
      } catch (err) {
        onError(err);
      }
    },
    publishInbox(users) {
      try {
        publisher.publishInbox(users);
      } catch (err) {
        onError(err);
      }
    },
  };
}
