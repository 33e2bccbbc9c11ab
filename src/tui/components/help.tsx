import { Box, Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

const KEYS: [string, string][] = [
  ['↑ ↓  j k', 'move (Ctrl-D/U half a page, PgUp/PgDn a page, g/G top, bottom)'],
  ['Enter', 'show or hide the detail of the selected auction'],
  ['b', 'bid, starting at the minimum next bid; Enter sends, Esc cancels'],
  ['m', 'maximum bid: the most you would pay; the auction bids for you up to it'],
  ['u', 'buy now at the buy-now price (asks first)'],
  ['/', 'filter the board by title; Esc clears the filter'],
  ['s  S', 'sort by: ending soonest → price → bids → newest; S reverses it'],
  ['M', 'show: all → yours → you lead → you were outbid → you sell'],
  ['e', 'every auction that ended while the board ran (Esc or q: back)'],
  ['?  q Ctrl-C', 'this help (any key closes it) · quit'],
];

const MARKS: [string, string][] = [
  ['*  *+  !', 'you are leading this auction · by your maximum · you were outbid'],
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
