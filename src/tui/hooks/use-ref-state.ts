import { useReducer, useRef } from 'react';

/**
 * State whose latest value can be read at once through a getter, even before
 * React re-renders: several keys in one read each see what the previous one did.
 */
export function useRefState<T>(initial: T): [() => T, (next: T | ((prev: T) => T)) => void] {
  const ref = useRef(initial);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const get = useRef(() => ref.current).current;
  const set = useRef((next: T | ((prev: T) => T)) => {
    ref.current = typeof next === 'function' ? (next as (prev: T) => T)(ref.current) : next;
    redraw();
  }).current;
  return [get, set];
}
