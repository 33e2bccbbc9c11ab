import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

/**
 * useInput with one listener for the component's life that always calls the
 * handler from the latest render. Ink re-registers a changed handler in an
 * effect, so a key arriving before that effect runs would see stale state.
 */
export function useKeys(handler: KeyHandler): void {
  const latest = useRef(handler);
  latest.current = handler;
  const stable = useCallback<KeyHandler>((input, key) => latest.current(input, key), []);
  useInput(stable);
}
