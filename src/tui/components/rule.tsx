import { Box, Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';

/** A horizontal rule, with an optional label at its right end (e.g. scroll hints). */
export function Rule({ width, label = '' }: { width: number; label?: string }) {
  const theme = useTheme();
  const tail = label ? ` ${label} ─` : '';
  return (
    <Box width={width}>
      <Text color={theme.muted}>{'─'.repeat(Math.max(0, width - tail.length)) + tail}</Text>
    </Box>
  );
}
