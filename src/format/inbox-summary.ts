// The few words that sum up a run of inbox events, for the CLI's `inbox` and the TUI's "while you were away".
import type { PrivateEvent } from '../protocol/events.js';
import { plural } from './text.js';

const summaryWords: [PrivateEvent['type'], (n: number) => string][] = [
  ['outbid', (n) => `outbid ${n === 1 ? 'once' : `${n} times`}`],
  ['maxRaised', (n) => `your maximum answered ${plural(n, 'bid')}`],
  ['maxExhausted', (n) => `${plural(n, 'maximum')} used up`],
  ['won', (n) => `won ${plural(n, 'auction')}`],
  ['lost', (n) => `lost ${plural(n, 'auction')}`],
  ['sale', (n) => `sold ${plural(n, 'auction')}`],
  ['unsold', (n) => `${plural(n, 'auction')} of yours ended unsold`],
  ['balance', (n) => plural(n, 'balance change')],
];

/** What a run of inbox events holds, in a few words: `outbid 2 times, won 1 auction, 3 balance changes`. */
export function inboxSummary(events: readonly { type: PrivateEvent['type'] }[]): string {
  const count = (type: string) => events.filter((e) => e.type === type).length;
  const parts = summaryWords.filter(([type]) => count(type) > 0).map(([type, words]) => words(count(type)));
  return parts.length > 0 ? parts.join(', ') : 'nothing new';
}
