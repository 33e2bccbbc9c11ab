import { Box, Text } from 'ink';
import { endedLabel, type RowView } from '../state/board-view.js';
import { useTheme } from '../hooks/use-theme.js';

/** One line of auctions that ended recently, newest first, with their final state. */
export function EndedStrip({ rows, width }: { rows: RowView[]; width: number }) {
  const theme = useTheme();
  return (
    <Box width={width}>
      <Text wrap="truncate-end" dimColor>
        <Text bold>Ended: </Text>
        {rows.length === 0
          ? <Text color={theme.muted}>nothing yet</Text>
          : rows.map((r, i) => `${i ? ' · ' : ''}${r.title} ${endedLabel(r.status, r.price, r.leader).toLowerCase()}`).join('')}
      </Text>
    </Box>
  );
}
