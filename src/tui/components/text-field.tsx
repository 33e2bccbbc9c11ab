import { Text } from 'ink';
import type { TextState } from '../state/text-edit.js';

/** One line of text with a block cursor; the keys are routed to it by the app. */
export function TextField({ state, active = true }: { state: TextState; active?: boolean }) {
  const { value, cursor } = state;
  return (
    <Text>
      {value.slice(0, cursor)}
      <Text inverse={active}>{value[cursor] ?? ' '}</Text>
      {value.slice(cursor + 1)}
    </Text>
  );
}
