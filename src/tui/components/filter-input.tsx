import { Box, Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';
import type { TextState } from '../state/text-edit.js';
import { TextField } from './text-field.js';

/** The title filter being typed; the board narrows as it changes. */
export function FilterInput({ field }: { field: TextState }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold>Filter by title: </Text>
        <TextField state={field} />
      </Box>
      <Text color={theme.muted}>Enter keeps the filter · Esc clears it</Text>
    </Box>
  );
}
