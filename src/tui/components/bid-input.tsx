import { Box, Text } from 'ink';
import { formatMoney } from '../../format/money.js';
import { useTheme } from '../hooks/use-theme.js';
import type { TextState } from '../state/text-edit.js';
import { Busy } from './busy.js';
import { ErrorLine } from './error-line.js';
import { TextField } from './text-field.js';

export interface BidInputProps {
  /** A maximum bid (the auction bids up to it), not a plain one. */
  max?: boolean;
  title: string;
  minimum: number;
  field: TextState;
  busy: boolean;
  error: string | null;
}

/** The amount to bid, or the most to pay (prefilled with the minimum next bid), and what became of it. */
export function BidInput({ max = false, title, minimum, field, busy, error }: BidInputProps) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Box>
        <Text wrap="truncate-end">
          {max ? 'Max bid' : 'Bid'} on <Text bold>“{title}”</Text> (min {formatMoney(minimum)}):{' '}
        </Text>
        <TextField state={field} active={!busy} />
        <Text color={theme.muted}>{'  Enter sends · Esc cancels'}</Text>
      </Box>
      {busy ? <Busy label={max ? 'sending maximum…' : 'sending bid…'} /> : error ? <ErrorLine message={error} /> : <Text> </Text>}
    </Box>
  );
}
