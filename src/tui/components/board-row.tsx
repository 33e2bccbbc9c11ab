import { Box, Text } from 'ink';
import { formatMoney } from '../../protocol/money.js';
import { endedLabel, type RowView } from '../state/board-state.js';
import { formatRemaining } from '../state/countdown.js';
import { useTheme } from '../hooks/use-theme.js';

/** Widths of the fixed columns; the title takes what is left. */
export const COLUMNS = { lead: 4, price: 11, leader: 8, bids: 6, ends: 9 } as const;
const FIXED = COLUMNS.lead + COLUMNS.price + COLUMNS.leader + COLUMNS.bids + COLUMNS.ends + 1;

export function titleWidth(width: number): number {
  return Math.max(8, width - FIXED);
}

const right = (s: string, w: number) => (s.length >= w ? s.slice(0, w) : s.padStart(w));
const left = (s: string, w: number) => (s.length >= w ? s.slice(0, w) : s.padEnd(w));

/** The column titles above the rows. */
export function BoardHeading({ width }: { width: number }) {
  const theme = useTheme();
  return (
    <Box width={width}>
      <Text bold color={theme.muted}>
        {left('', COLUMNS.lead)}
        {left('Auction', titleWidth(width))}
        {right('Price', COLUMNS.price)}
        {left('  Leader', COLUMNS.leader)}
        {right('Bids', COLUMNS.bids)}
        {right('Ends in', COLUMNS.ends)}
      </Text>
    </Box>
  );
}

export interface BoardRowProps {
  row: RowView;
  selected: boolean;
  width: number;
}

/** One auction: a selection mark, your marker (* leading, ! outbid), title, price, leader, bids, countdown. */
export function BoardRow({ row, selected, width }: BoardRowProps) {
  const theme = useTheme();
  const tw = titleWidth(width);
  const mark = `${selected ? '›' : ' '}${row.mine === 'leading' ? '*' : row.mine === 'outbid' ? '!' : ' '}  `;
  const markColor = row.mine === 'leading' ? theme.ok : row.mine === 'outbid' ? theme.danger : undefined;
  if (row.ended) {
    return (
      <Box width={width}>
        <Text inverse={selected} dimColor>
          {mark}
        </Text>
        <Box width={tw}>
          <Text inverse={selected} dimColor wrap="truncate-end">
            {left(row.title, tw)}
          </Text>
        </Box>
        <Text inverse={selected} dimColor bold>
          {right(endedLabel(row.status, row.price, row.leader), FIXED - COLUMNS.lead)}
        </Text>
      </Box>
    );
  }
  const hl = row.highlight;
  const endsColor = row.warning ? theme.danger : undefined;
  return (
    <Box width={width}>
      <Text inverse={selected} color={markColor} bold={row.mine !== null}>
        {mark}
      </Text>
      <Box width={tw}>
        <Text inverse={selected} bold={hl} wrap="truncate-end">
          {left(row.title, tw)}
        </Text>
      </Box>
      <Text inverse={selected}>
        <Text bold={hl} color={hl ? theme.accent : undefined}>
          {right(formatMoney(row.price), COLUMNS.price)}
        </Text>
        <Text color={row.leader === 'you' ? theme.ok : undefined} bold={row.leader === 'you'}>
          {left(`  ${row.leader}`, COLUMNS.leader)}
        </Text>
        <Text bold={hl}>{right(String(row.bidCount), COLUMNS.bids)}</Text>
        <Text color={endsColor} bold={row.warning}>
          {right(formatRemaining(row.remainingMs), COLUMNS.ends - 1)}
          {row.warning ? '!' : ' '}
        </Text>
        {' '}
      </Text>
    </Box>
  );
}
