import { Text } from 'ink';
import Spinner from 'ink-spinner';
import { useTheme } from '../hooks/use-theme.js';

/** A spinner and a word, while a request is out. */
export function Busy({ label }: { label: string }) {
  const theme = useTheme();
  return (
    <Text color={theme.accent}>
      <Spinner type="dots" /> {label}
    </Text>
  );
}
