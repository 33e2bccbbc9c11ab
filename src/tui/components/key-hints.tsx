import { Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

/** The one-line reminder of the keys at the bottom of the board. */
export function KeyHints({ canBid }: { canBid: boolean }) {
  const theme = useTheme();
  const hints = ['↑↓ move', 'Enter detail', ...(canBid ? ['b bid', 'm max bid', 'u buy now'] : []), '/ filter', '? help', 'q quit'];
  return (
    <Text color={theme.muted} wrap="truncate-end">
      {hints.join('  ')}
    </Text>
  );
}
