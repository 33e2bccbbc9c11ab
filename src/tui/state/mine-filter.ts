// Which of the board's auctions concern the user: all of them, or only those
// they lead, were outbid on or sell. `M` cycles through them; like the title
// filter, it is plain data the view applies.
import type { Mine } from './board-store.js';

export type MineFilter = 'all' | 'mine' | 'leading' | 'outbid' | 'selling';

/** The order `M` cycles through; `all` (no filter) is the default. */
export const MINE_FILTERS: readonly MineFilter[] = ['all', 'mine', 'leading', 'outbid', 'selling'];

/** The next choice (after `selling`, `all` again). */
export function nextMineFilter(filter: MineFilter): MineFilter {
  return MINE_FILTERS[(MINE_FILTERS.indexOf(filter) + 1) % MINE_FILTERS.length]!;
}

/** Whether an auction passes: `mine` is any of leading, outbid or selling. */
export function matchesMine(filter: MineFilter, mine: Mine, selling: boolean): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'mine':
      return mine !== null || selling;
    case 'leading':
      return mine === 'leading';
    case 'outbid':
      return mine === 'outbid';
    case 'selling':
      return selling;
  }
}

/** How the rule line names the choice. */
export function mineLabel(filter: MineFilter): string {
  return filter === 'mine' ? 'yours' : filter;
}

/** How an empty board names the auctions it is narrowed to ("No open auction you lead"); empty for `all`. */
export function minePhrase(filter: MineFilter): string {
  switch (filter) {
    case 'all':
      return '';
    case 'mine':
      return 'of yours';
    case 'leading':
      return 'you lead';
    case 'outbid':
      return 'you were outbid on';
    case 'selling':
      return 'you sell';
  }
}
