import { Box, Text } from 'ink';
import type { RowView } from '../state/board-view.js';
import { useTheme } from '../hooks/use-theme.js';
import { BoardHeading, BoardRow } from './board-row.js';

export interface BoardProps {
  /** The rows on screen (already scrolled). */
  rows: RowView[];
  selectedId: number | null;
  width: number;
  height: number;
  loaded: boolean;
  filter: string;
  /** What `M` narrows the board to, named on an empty board ("you lead"). */
  mine?: string;
}

/** The auction board: column titles, then exactly `height` lines of rows. */
export function Board({ rows, selectedId, width, height, loaded, filter, mine }: BoardProps) {
  const theme = useTheme();
  const empty = !loaded
    ? 'Loading auctions…'
    : filter
      ? `No open auction matches “${filter}”${mine ? ` among those ${mine}` : ''}.`
      : mine
        ? `No open auction ${mine} (M shows more).`
        : 'No open auctions.';
  return (
    <Box flexDirection="column" width={width} height={height + 1}>
      <BoardHeading width={width} />
      {rows.length === 0 ? (
        <Text color={theme.muted}>{`    ${empty}`}</Text>
      ) : (
        rows.map((row) => <BoardRow key={row.id} row={row} selected={row.id === selectedId} width={width} />)
      )}
    </Box>
  );
}
