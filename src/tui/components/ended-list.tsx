import { Box, Text } from 'ink';
import { formatClock } from '../../format/duration.js';
import { plural } from '../../format/text.js';
import { endedLabel } from '../state/board-view.js';
import type { EndedRow } from '../state/ended-list.js';
import { useTheme } from '../hooks/use-theme.js';

export interface EndedListProps {
  rows: EndedRow[];
  /** The first row shown (the list scrolls with j/k, Ctrl-D/U, PgUp/PgDn, g/G). */
  top: number;
  width: number;
  height: number;
}

/** The final state's column: "WON by <8-character name> at 1,000,000" fits. */
const LABEL_WIDTH = 32;
const BIDS_WIDTH = 10;

/** Lines the list itself takes besides its rows: a title and a footer. */
export const ENDED_LIST_CHROME = 2;

/** Every auction that ended while the board ran, newest first, with its final state (`e`). */
export function EndedList({ rows, top, width, height }: EndedListProps) {
  const theme = useTheme();
  const room = Math.max(1, height - ENDED_LIST_CHROME);
  const shown = rows.slice(top, top + room);
  const below = Math.max(0, rows.length - top - shown.length);
  const where = [top ? `↑ ${top} more` : '', below ? `↓ ${below} more` : ''].filter(Boolean).join('  ');
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        Ended while the board ran: {rows.length} <Text color={theme.muted}>(newest first)</Text>
      </Text>
      <Box flexDirection="column" height={room}>
        {rows.length === 0 ? <Text color={theme.muted}>Nothing has ended yet.</Text> : null}
        {shown.map((r) => (
          <Box key={r.id} width={width}>
            <Text color={theme.muted}>{formatClock(new Date(r.endedAt).toISOString())} </Text>
            <Text bold color={r.leaderIsMe ? theme.ok : undefined}>
              {r.leaderIsMe ? '* ' : r.selling ? '$ ' : '  '}
            </Text>
            <Box flexGrow={1} flexShrink={1}>
              <Text wrap="truncate-end">{r.title}</Text>
            </Box>
            <Box width={LABEL_WIDTH} flexShrink={0} justifyContent="flex-end">
              <Text bold wrap="truncate-end">
                {endedLabel(r.status, r.price, r.leader)}
              </Text>
            </Box>
            <Box width={BIDS_WIDTH} flexShrink={0} justifyContent="flex-end">
              <Text color={theme.muted}>{plural(r.bidCount, 'bid')}</Text>
            </Box>
          </Box>
        ))}
      </Box>
      <Text color={theme.muted} wrap="truncate-end">
        {`j/k Ctrl-D/U g/G scroll · Esc or q: the board${where ? `  ${where}` : ''}`}
      </Text>
    </Box>
  );
}
