// Which row is selected and which rows are on screen. Selection follows an
// auction id, not an index, so rows re-sorting under it do not move it.

export interface Selection {
  /** The selected auction, or null on an empty board. */
  id: number | null;
  /** Its index in the rows (where it was last, if it has gone). */
  index: number;
}

/** Finds the selected auction in the rows; when it has left, selects whatever took its place. */
export function resolveSelection(rows: readonly { id: number }[], sel: Selection): Selection {
  if (rows.length === 0) return { id: null, index: 0 };
  const at = sel.id === null ? -1 : rows.findIndex((r) => r.id === sel.id);
  if (at >= 0) return { id: sel.id, index: at };
  const index = Math.min(Math.max(0, sel.index), rows.length - 1);
  return { id: rows[index]!.id, index };
}

/** Moves the selection by delta rows, stopping at the ends. */
export function moveSelection(rows: readonly { id: number }[], sel: Selection, delta: number): Selection {
  const cur = resolveSelection(rows, sel);
  if (cur.id === null) return cur;
  const index = Math.min(Math.max(0, cur.index + delta), rows.length - 1);
  return { id: rows[index]!.id, index };
}

/** How far Ctrl-D and Ctrl-U move: half the rows on screen, at least one. */
export function halfPage(height: number): number {
  return Math.max(1, Math.floor(height / 2));
}

/** The first visible row: the old one, moved just enough to keep the selection on screen. */
export function scrollOffset(count: number, index: number, height: number, offset: number): number {
  if (height <= 0 || count <= height) return 0;
  let next = Math.min(Math.max(0, offset), count - height);
  if (index < next) next = index;
  if (index >= next + height) next = index - height + 1;
  return next;
}
