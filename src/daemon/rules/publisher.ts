// The seam between committing and telling: rules hand their committed events to
// a Publisher only after the transaction that wrote them has committed.
import type { InboxGrowth } from './inbox.js';
import type { OutboxEvent } from './outcome.js';

export interface BalanceChange {
  userId: number;
  balance: number;
  held: number;
}

export interface Publisher {
  /**
   * Committed auction events, in version order per auction (sent on before it
   * returns), and, when the rule said, whose inbox the same transaction wrote
   * to: exactly those rows are then read for this daemon's sockets and follow.
   */
  publish(events: OutboxEvent[], inbox?: InboxGrowth[] | null): void;
  /** Committed balance changes that no auction event carries (deposits). */
  publishBalances(changes: BalanceChange[]): void;
  /** Users whose inboxes a committed transaction wrote to, where no auction event names them. */
  publishInbox(users: number[]): void;
  /** True when some user's socket here takes private events: the bid rules then say whose inbox they wrote to. */
  takesInboxRows(): boolean;
}

/** A publisher that tells nobody; for tools that only need the rules. */
export const silentPublisher: Publisher = {
  publish: () => {},
  publishBalances: () => {},
  publishInbox: () => {},
  takesInboxRows: () => false,
};

/**
 * Wraps a publisher so that a failure to tell can never turn a committed
 * change into a failed answer: the change is in the outbox, and watchers catch
 * up from there, so the error is logged and the caller goes on.
 */
export function neverThrowing(publisher: Publisher, onError: (err: unknown) => void): Publisher {
  return {
    publish(events, inbox) {
      try {
        publisher.publish(events, inbox);
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
    takesInboxRows: () => publisher.takesInboxRows(),
  };
}
