import { useEffect } from 'react';
import type { BoardSource } from '../data/board-source.js';
import type { BoardHandle } from './use-board.js';

/** While the detail pane shows an auction, loads its recent bids (live ones arrive as events). */
export function useDetail(source: BoardSource, board: BoardHandle, id: number | null, open: boolean): void {
  useEffect(() => {
    if (!open || id === null) return;
    let alive = true;
    // Scrolling through the board should not fire a request per row passed.
    const timer = setTimeout(() => {
      source.detail(id).then(
        (d) => {
          if (!alive) return;
          const { recentBids, ...auction } = d;
          board.store.upsert(auction, Date.now());
          board.store.setBids(id, recentBids);
          board.flush();
        },
        () => {
          // The board still shows the auction; its bid history fills in as bids arrive.
        },
      );
    }, 120);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
    // The handle's identity changes every render; the store inside it does not.
  }, [source, board.store, id, open]);
}
