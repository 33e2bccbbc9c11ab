import { useEffect, useRef } from 'react';
import type { BoardSource } from '../data/board-source.js';

/** Keeps the socket subscribed to exactly the given auctions (the rows on screen). */
export function useSubscriptions(source: BoardSource, ids: readonly number[]): void {
  const current = useRef(new Set<number>());
  const key = [...ids].sort((a, b) => a - b).join(',');
  useEffect(() => {
    const want = new Set(ids);
    const add = [...want].filter((id) => !current.current.has(id));
    const drop = [...current.current].filter((id) => !want.has(id));
    if (drop.length) source.unsubscribe(drop);
    if (add.length) source.subscribe(add);
    current.current = want;
    // Keyed on the set of ids, not the array's identity, which changes every render.
  }, [source, key]);
  useEffect(
    () => () => {
      if (current.current.size) source.unsubscribe([...current.current]);
      current.current = new Set();
    },
    [source],
  );
}
