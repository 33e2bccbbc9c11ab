import { Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

/** A rejection or failure as one sentence, marked so it reads as an error without colour too. */
export function ErrorLine({ message }: { message: string }) {
  const theme = useTheme();
  return (
    <Text color={theme.danger} bold wrap="truncate-end">
      ✗ {message}
    </Text>
  );
}
