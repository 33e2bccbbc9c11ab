import { Box, Text } from 'ink';
import { formatClock } from '../../format/duration.js';
import { formatMoney } from '../../format/money.js';
import { inboxSummary } from '../../format/inbox-summary.js';
import type { InboxEvent } from '../../protocol/inbox.js';
import type { Away } from '../data/board-source.js';
import { useTheme } from '../hooks/use-theme.js';

export interface AwayProps {
  away: Away;
  /** An auction's title, when known. */
  title(id: number): string | undefined;
  /** A user as the board names them. */
  who(id: number): string;
  width: number;
  height: number;
}

/** One event of the away list in words. */
export function awayText(e: InboxEvent, title: (id: number) => string | undefined, who: (id: number) => string): string {
  const t = (id: number) => {
    const known = title(id);
    return known ? `“${known}”` : `auction #${id}`;
  };
  switch (e.type) {
    case 'outbid':
      return e.leaderId === null
        ? `${t(e.auction)} was cancelled; your hold is released`
        : `outbid on ${t(e.auction)}: now ${formatMoney(e.price)} by ${who(e.leaderId)}`;
    case 'maxRaised':
      return `your maximum of ${formatMoney(e.max)} answered a bid on ${t(e.auction)}: now ${formatMoney(e.price)}`;
    case 'maxExhausted':
      return `the price of ${t(e.auction)} reached your maximum of ${formatMoney(e.max)}`;
    case 'won':
      return `won ${t(e.auction)} for ${formatMoney(e.price)}`;
    case 'lost':
      return e.winnerId === null
        ? `${t(e.auction)} ended below its reserve; nobody won it`
        : `lost ${t(e.auction)}: ${who(e.winnerId)} won it for ${formatMoney(e.price)}`;
    case 'sale':
      return `sold ${t(e.auction)} to ${who(e.buyerId)} for ${formatMoney(e.price)}`;
    case 'unsold':
      return e.reason === 'reserve_not_met' ? `${t(e.auction)} ended below your reserve` : `${t(e.auction)} ended without a bid`;
    case 'balance':
      return `balance ${formatMoney(e.balance)}, held ${formatMoney(e.held)}, available ${formatMoney(e.available)}`;
  }
}

/** "While you were away": the private events missed since the board last showed them, newest at the bottom. */
export function AwayList({ away, title, who, width, height }: AwayProps) {
  const theme = useTheme();
  const room = Math.max(1, height - 3);
  const shown = away.events.slice(-room);
  const hidden = away.events.length - shown.length;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        While you were away: {inboxSummary(away.events)}.
      </Text>
      {hidden > 0 || away.truncated ? (
        <Text color={theme.muted} wrap="truncate-end">
          {hidden > 0 ? `${hidden} earlier not shown (neighborbid inbox --after 0 lists them all)` : ''}
          {hidden > 0 && away.truncated ? '; ' : ''}
          {away.truncated ? 'some older ones are no longer kept' : ''}
        </Text>
      ) : null}
      {shown.map((e) => (
        <Text key={e.seq} wrap="truncate-end" color={e.type === 'outbid' || e.type === 'lost' ? theme.danger : undefined}>
          <Text color={theme.muted}>{formatClock(e.at)} </Text>
          {awayText(e, title, who)}
        </Text>
      ))}
      <Text color={theme.muted}>any key: the board</Text>
    </Box>
  );
}
