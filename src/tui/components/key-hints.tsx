import { Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

/** The one-line reminder of the keys at the bottom of the board. */
export function KeyHints({ canBid }: { canBid: boolean }) {
  const theme = useTheme();
  // At 80 columns every hint fits: the moves are in the help (`?`).
  const hints = ['Enter detail', ...(canBid ? ['b bid', 'u buy'] : []), '/ filter', 's sort', 'M mine', 'e ended', '? help', 'q quit'];
  return (
    <Text color={theme.muted} wrap="truncate-end">
      {hints.join('  ')}
    </Text>
  );
}
