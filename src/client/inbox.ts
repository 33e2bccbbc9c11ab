// Catching up on a user's private events over HTTP: every event kept after a
// position, page by page, for `neighborbid inbox` and the TUI's "while you
// were away". The socket client resumes from where this ends.
import type { InboxEvent } from '../protocol/inbox.js';
import { INBOX_PAGE_MAX } from '../protocol/inbox.js';
import type { HttpClient } from './http-client.js';

export interface Missed {
  events: InboxEvent[];
  /** Where to continue from (the last event's seq, or where the inbox stood). */
  next: number;
  /** Some events after the position asked for are no longer kept (see INBOX_RETENTION). */
  truncated: boolean;
}

/** Most pages read at once; the retention keeps far fewer events than this reaches. */
const MAX_PAGES = 20;

/** The user's events after `after`, oldest first, read to the newest (bounded). */
export async function readMissed(http: Pick<HttpClient, 'inbox'>, after: number): Promise<Missed> {
  const events: InboxEvent[] = [];
  let next = after;
  let truncated = false;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await http.inbox(next, INBOX_PAGE_MAX);
    events.push(...page.events);
    truncated ||= page.truncated;
    next = page.next;
    if (page.next >= page.last) break;
  }
  return { events, next, truncated };
}
