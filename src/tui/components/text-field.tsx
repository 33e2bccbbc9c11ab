import { Text } from 'ink';
import { charAtCursor, type TextState } from '../state/text-edit.js';

/** One line of text with a block cursor; the keys are routed to it by the app. */
export function TextField({ state, active = true }: { state: TextState; active?: boolean }) {
  const { value, cursor } = state;
  const under = charAtCursor(state);
  return (
    <Text>
      {value.slice(0, cursor)}
      <Text inverse={active}>{under || ' '}</Text>
      {value.slice(cursor + under.length)}
    </Text>
  );
}
