// How the screen is divided at a given terminal size. Every line is counted so
// the frame never exceeds the terminal (which would scroll it).

export interface Layout {
  /** Too small to draw a useful board. */
  tooSmall: boolean;
  columns: number;
  /** Board rows (auctions) on screen. */
  boardRows: number;
  boardWidth: number;
  /** Where the detail pane goes, if open: beside the board on wide terminals, else below it. */
  detail: 'none' | 'side' | 'below';
  detailWidth: number;
  /** Lines inside the detail pane. */
  detailHeight: number;
}

export const MIN_COLUMNS = 50;
export const MIN_ROWS = 12;
/** Header (2), rule, column titles, rule, ended strip, footer (2), and one spare line. */
const FIXED_LINES = 9;
const SIDE_MIN_COLUMNS = 120;
const SIDE_WIDTH = 42;

export function computeLayout(columns: number, rows: number, detailOpen: boolean): Layout {
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const room = Math.max(1, rows - FIXED_LINES);
  if (!detailOpen || tooSmall) {
    return { tooSmall, columns, boardRows: room, boardWidth: columns, detail: 'none', detailWidth: 0, detailHeight: 0 };
  }
  if (columns >= SIDE_MIN_COLUMNS) {
    return {
      tooSmall,
      columns,
      boardRows: room,
      boardWidth: columns - SIDE_WIDTH - 1,
      detail: 'side',
      detailWidth: SIDE_WIDTH,
      // Beside the board: as tall as its column titles plus its rows.
      detailHeight: room + 1,
    };
  }
  // Below the board, with a rule above it; the board keeps at least three rows.
  const detailHeight = Math.max(3, Math.min(8, Math.floor(rows * 0.3), room - 1 - 3));
  return {
    tooSmall,
    columns,
    boardRows: Math.max(1, room - detailHeight - 1),
    boardWidth: columns,
    detail: 'below',
    detailWidth: columns,
    detailHeight,
  };
}
