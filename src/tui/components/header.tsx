import { Box, Text } from 'ink';
import { formatMoney } from '../../format/money.js';
import type { Me } from '../../protocol/types.js';
import type { ConnectionState } from '../data/board-source.js';
import { useTheme } from '../hooks/use-theme.js';

export interface HeaderProps {
  address: string;
  connection: ConnectionState;
  me: Me | null;
  hasUser: boolean;
  /** "3/20": the selected row and the number of rows. */
  position: string;
}

function ConnectionBadge({ state }: { state: ConnectionState }) {
  const theme = useTheme();
  switch (state.kind) {
    case 'live':
      return <Text color={theme.ok}>● live</Text>;
    case 'connecting':
      return <Text color={theme.warn}>○ connecting…</Text>;
    case 'reconnecting':
      return (
        <Text color={theme.warn} bold>
          ◌ reconnecting (attempt {state.attempt}){state.code ? `: ${state.code}` : ''}
        </Text>
      );
    case 'closed':
      return (
        <Text color={theme.danger} bold>
          ✗ disconnected: {state.code ? `${state.code}: ` : ''}
          {state.reason}
        </Text>
      );
  }
}

/** Two lines: where we are connected and how, then who we are and our money. */
export function Header({ address, connection, me, hasUser, position }: HeaderProps) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold color={theme.accent}>
          neighborbid
        </Text>
        <Text> {address} </Text>
        <ConnectionBadge state={connection} />
        <Box flexGrow={1} />
        <Text color={theme.muted}>{position}</Text>
      </Box>
      <Box>
        {me ? (
          <Text wrap="truncate-end">
            <Text bold>{me.name}</Text>
            {'  balance '}
            <Text bold>{formatMoney(me.balance)}</Text>
            {'  held '}
            <Text bold>{formatMoney(me.held)}</Text>
            {'  available '}
            <Text bold color={theme.ok}>
              {formatMoney(me.available)}
            </Text>
          </Text>
        ) : (
          <Text color={theme.muted} wrap="truncate-end">
            {hasUser ? 'loading your account…' : 'watching only: start with --token to bid and buy'}
          </Text>
        )}
      </Box>
    </Box>
  );
}
