import { Box, Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';
import { Busy } from './busy.js';
import { ErrorLine } from './error-line.js';

export interface ConfirmProps {
  question: string;
  busy: boolean;
  error: string | null;
}

/** A yes/no question (y confirms; n or Esc declines), then its outcome. */
export function Confirm({ question, busy, error }: ConfirmProps) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={theme.warn}>
          {question}
        </Text>
        <Text color={theme.muted}> y yes · n no</Text>
      </Text>
      {busy ? <Busy label="buying…" /> : error ? <ErrorLine message={error} /> : <Text> </Text>}
    </Box>
  );
}
