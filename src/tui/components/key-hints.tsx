import { Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

/** The one-line reminder of the keys at the bottom of the board. */
export function KeyHints({ canBid }: { canBid: boolean }) {
  const theme = useTheme();
  // At 80 columns every hint fits (short words, so that m has room): the moves are in the help (`?`).
  const hints = [canBid ? 'Enter info' : 'Enter detail', ...(canBid ? ['b bid', 'm max', 'u buy'] : []), canBid ? '/ find' : '/ filter', 's sort', 'M mine', 'e ended', '? help', 'q quit'];
  return (
    <Text color={theme.muted} wrap="truncate-end">
      {hints.join('  ')}
    </Text>
  );
}
