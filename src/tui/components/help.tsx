import { Box, Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

const KEYS: [string, string][] = [
  ['↑ ↓  j k', 'move the selection (PgUp/PgDn, g/G: page, top, bottom)'],
  ['Enter', 'show or hide the detail of the selected auction'],
  ['b', 'bid, starting at the minimum next bid; Enter sends, Esc cancels'],
  ['m', 'maximum bid: the most you would pay; the auction bids for you up to it'],
  ['u', 'buy now at the buy-now price (asks first)'],
  ['/', 'filter the board by title; Esc clears the filter'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit'],
];

const MARKS: [string, string][] = [
  ['*', 'you are leading this auction'],
  ['*+', 'you lead by your maximum, which answers bids for you'],
  ['!', 'you were outbid'],
  ['0:42!', 'less than a minute left'],
  ['dimmed', 'just ended: its final state, before it moves to the ended strip'],
];

/** Keys and the marks on the board. */
export function Help({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const row = ([k, v]: [string, string]) => (
    <Text key={k} wrap="truncate-end">
      <Text bold color={theme.accent}>
        {k.padEnd(12)}
      </Text>
      {v}
    </Text>
  );
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold>Keys</Text>
      {KEYS.map(row)}
      <Text> </Text>
      <Text bold>Marks</Text>
      {MARKS.map(row)}
    </Box>
  );
}
